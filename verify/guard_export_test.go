package verify

// NewMemoryCounters exposes the memory store's counters to the external tests.
func NewMemoryCounters() CounterStore { return newMemoryCounters() }
