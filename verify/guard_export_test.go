package verify

// NewMemoryCounters exposes the memory store's counters to the external tests.
func NewMemoryCounters() Counters { return newMemoryCounters() }
