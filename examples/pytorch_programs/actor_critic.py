"""pytorch/examples' reinforcement_learning (reinforce.py and actor_critic.py) on a bundled cart-pole.

The policy and the training loop are the example's: a ``Policy`` that saves each step's
``log_prob`` and value in lists on the module, actions drawn from ``Categorical(probs)``, the
discounted returns standardised with ``np.finfo(np.float32).eps.item()``, the loss assembled with
``torch.stack(...).sum()`` from the policy terms ``-log_prob * advantage`` and the critic's
``F.smooth_l1_loss(value, torch.tensor([R]))``, and ``del policy.rewards[:]`` after each episode.
REINFORCE (no critic) runs on the same environment for comparison.

Gym is not needed: ``CartPole`` below is the classic cart-pole of Barto, Sutton and Anderson (1983),
Euler-integrated as Gym's CartPole-v1 is, with its thresholds (12 degrees, 2.4 units) and a
500-step cap. A random policy keeps the pole up for about 22 steps; the program asserts that the
actor-critic's running reward (an exponential average over episodes) at least doubles that at
some point of its 80 episodes (60 in the dry run): policy gradients are noisy, and a
run may then fall back for a while.
Run: python actor_critic.py [--dry-run]
"""

import argparse
import math
from collections import namedtuple

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.distributions import Categorical

SavedAction = namedtuple('SavedAction', ['log_prob', 'value'])


class CartPole:
    """Gym's CartPole-v1 dynamics: state (x, ẋ, θ, θ̇), actions 0 (push left) and 1 (push right)."""

    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        self.steps = 0
        return self.state.copy(), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.masspole + self.masscart
        polemass_length = self.masspole * self.length
        temp = (force + polemass_length * theta_dot ** 2 * math.sin(theta)) / total_mass
        thetaacc = (self.gravity * math.sin(theta) - math.cos(theta) * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * math.cos(theta) ** 2 / total_mass))
        xacc = temp - polemass_length * thetaacc * math.cos(theta) / total_mass
        x, x_dot = x + self.tau * x_dot, x_dot + self.tau * xacc
        theta, theta_dot = theta + self.tau * theta_dot, theta_dot + self.tau * thetaacc
        self.state = np.array([x, x_dot, theta, theta_dot])
        self.steps += 1
        terminated = abs(x) > 2.4 or abs(theta) > 12 * 2 * math.pi / 360
        return self.state.copy(), 1.0, terminated, self.steps >= 500, {}


class Policy(nn.Module):
    """
    implements both actor and critic in one model
    """
    def __init__(self, critic=True):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 128)

        # actor's layer
        self.action_head = nn.Linear(128, 2)

        # critic's layer
        self.value_head = nn.Linear(128, 1) if critic else None

        # action & reward buffer
        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        """
        forward of both actor and critic
        """
        x = F.relu(self.affine1(x))

        # actor: choses action to take from state s_t
        # by returning probability of each action
        action_prob = F.softmax(self.action_head(x), dim=-1)

        # critic: evaluates being in the state s_t
        state_values = self.value_head(x) if self.value_head is not None else torch.zeros(1)

        # return values for both actor and critic as a tuple of 2 values:
        # 1. a list with the probability of each action over the action space
        # 2. the value from state s_t
        return action_prob, state_values


def select_action(model, state):
    state = torch.from_numpy(state).float()
    probs, state_value = model(state)

    # create a categorical distribution over the list of probabilities of actions
    m = Categorical(probs)

    # and sample an action using the distribution
    action = m.sample()

    # save to action buffer
    model.saved_actions.append(SavedAction(m.log_prob(action), state_value))

    # the action to take (left or right)
    return action.item()


def finish_episode(model, optimizer, gamma, eps):
    """
    Training code. Calculates actor and critic loss and performs backprop.
    """
    R = 0
    saved_actions = model.saved_actions
    policy_losses = []  # list to save actor (policy) loss
    value_losses = []  # list to save critic (value) loss
    returns = []  # list to save the true values

    # calculate the true value using rewards returned from the environment
    for r in model.rewards[::-1]:
        # calculate the discounted value
        R = r + gamma * R
        returns.insert(0, R)

    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)

    for (log_prob, value), R in zip(saved_actions, returns):
        advantage = R - value.item()

        # calculate actor (policy) loss
        policy_losses.append(-log_prob * advantage)

        # calculate critic (value) loss using L1 smooth loss
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))

    # reset gradients
    optimizer.zero_grad()

    # sum up all the values of policy_losses and value_losses
    loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()

    # perform backprop
    loss.backward()
    optimizer.step()

    # reset rewards and action buffer
    del model.rewards[:]
    del model.saved_actions[:]


def train(critic, episodes, seed, args):
    env = CartPole(seed)
    torch.manual_seed(seed)
    model = Policy(critic)
    optimizer = optim.Adam(model.parameters(), lr=3e-2 if critic else 1e-2)
    eps = np.finfo(np.float32).eps.item()
    running_reward = best = 10

    for i_episode in range(1, episodes + 1):
        state, _ = env.reset()
        ep_reward = 0
        for _ in range(1, 10000):
            action = select_action(model, state)
            state, reward, done, truncated, _ = env.step(action)
            model.rewards.append(reward)
            ep_reward += reward
            if done or truncated:
                break

        # update cumulative reward
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        best = max(best, running_reward)
        finish_episode(model, optimizer, args.gamma, eps)

        if i_episode % args.log_interval == 0:
            print('{} episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}'.format(
                'actor-critic' if critic else 'REINFORCE', i_episode, ep_reward, running_reward))
    return best


def main():
    parser = argparse.ArgumentParser(description='PyTorch actor-critic example')
    parser.add_argument('--gamma', type=float, default=0.99, metavar='G',
                        help='discount factor (default: 0.99)')
    parser.add_argument('--seed', type=int, default=4, metavar='N',
                        help='random seed (default: 4)')
    parser.add_argument('--episodes', type=int, default=80)
    parser.add_argument('--log-interval', type=int, default=20, metavar='N',
                        help='interval between training status logs (default: 20)')
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    episodes = 60 if args.dry_run else args.episodes

    # the pieces the loss is built from, checked by hand on one state
    model = Policy()
    probs, value = model(torch.zeros(4))
    m = Categorical(probs)
    assert torch.allclose(m.log_prob(torch.tensor(1)), probs[1].log())
    assert value.shape == (1,) and probs.shape == (2,)
    assert abs(m.entropy().item() + (probs * probs.log()).sum().item()) < 1e-6

    reinforce = train(False, episodes, args.seed, args)
    actor_critic = train(True, episodes, args.seed, args)
    print(f'best running reward in {episodes} episodes: REINFORCE {reinforce:.1f}, '
          f'actor-critic {actor_critic:.1f}')
    assert actor_critic > 2 * 22, actor_critic


if __name__ == '__main__':
    main()
