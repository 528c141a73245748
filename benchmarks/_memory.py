"""Shared by the benchmarks: take page faults out of the timings."""


def keep_freed_memory():
    """glibc's mallopt: serve big arrays from the heap and never trim it (what MALLOC_MMAP_THRESHOLD_
    and MALLOC_TRIM_THRESHOLD_ do from the environment). NumPy allocates every temporary afresh, so
    on a machine with costly page faults this alone changes its step time by a large factor."""
    import ctypes
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, 1 << 30)
