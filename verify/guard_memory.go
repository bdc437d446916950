package verify

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// counterSweepEvery is how many CountSend calls pass between two sweeps of expired counters, so memory
// stays bounded by the traffic of the longest window without a goroutine.
const counterSweepEvery = 1024

// memoryCounters is the in-process Counters: exact sliding windows over the send times, for one
// process (tests, single-replica apps). Safe for concurrent use.
type memoryCounters struct {
	mu       sync.Mutex
	counters map[string]*memoryCounter
	calls    int
}

// memoryCounter is one counter: its sends oldest first and, for conversion counters, the
// verified sends by id.
type memoryCounter struct {
	sends    []memorySend
	verified map[string]time.Time // send id → time of the send
	expires  time.Time            // the last write plus the counter's TTL
}

type memorySend struct {
	at time.Time
	id string
}

func newMemoryCounters() *memoryCounters {
	return &memoryCounters{counters: make(map[string]*memoryCounter)}
}

var _ CounterStore = (*memoryCounters)(nil)

// CountSend implements CounterStore.
func (m *memoryCounters) CountSend(ctx context.Context, req CountRequest) ([]CounterReading, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls++; m.calls%counterSweepEvery == 0 {
		m.sweep(req.Now)
	}
	out := make([]CounterReading, len(req.Counters))
	for i, q := range req.Counters {
		ttl := q.TTL()
		c := m.counter(q.Key, req.Now, ttl)
		reading := make(CounterReading, len(q.Windows))
		for j, w := range q.Windows {
			reading[j] = c.read(req.Now, w)
		}
		out[i] = reading
		// Keep the sends sorted even when replicas' clocks disagree a little.
		at := sort.Search(len(c.sends), func(k int) bool { return c.sends[k].at.After(req.Now) })
		c.sends = slices.Insert(c.sends, at, memorySend{at: req.Now, id: req.ID})
		c.expires = later(c.expires, req.Now.Add(ttl))
	}
	return out, nil
}

// UncountSend implements CounterStore.
func (m *memoryCounters) UncountSend(ctx context.Context, req CountRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range req.Counters {
		if c := m.counters[q.Key]; c != nil {
			c.sends = slices.DeleteFunc(c.sends, func(s memorySend) bool { return s.id == req.ID })
		}
	}
	return nil
}

// CountVerified implements CounterStore.
func (m *memoryCounters) CountVerified(ctx context.Context, req CountRequest, sentAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range req.Counters {
		ttl := q.TTL()
		if !q.Verified || !sentAt.After(req.Now.Add(-ttl)) {
			continue // a send older than every window counts nowhere
		}
		c := m.counter(q.Key, req.Now, ttl)
		if c.verified == nil {
			c.verified = make(map[string]time.Time)
		}
		c.verified[req.ID] = sentAt
		c.expires = later(c.expires, req.Now.Add(ttl))
	}
	return nil
}

// counter returns the live counter key, trimmed to the ttl before now, creating it when missing
// or expired.
func (m *memoryCounters) counter(key string, now time.Time, ttl time.Duration) *memoryCounter {
	c := m.counters[key]
	if c == nil || !c.expires.After(now) {
		c = &memoryCounter{}
		m.counters[key] = c
	}
	start := now.Add(-ttl)
	keep := sort.Search(len(c.sends), func(k int) bool { return c.sends[k].at.After(start) })
	c.sends = slices.Delete(c.sends, 0, keep)
	for id, at := range c.verified {
		if !at.After(start) {
			delete(c.verified, id)
		}
	}
	return c
}

// read is what window w of c holds at now.
func (c *memoryCounter) read(now time.Time, w Limit) WindowReading {
	start := now.Add(-w.Per)
	first := sort.Search(len(c.sends), func(k int) bool { return c.sends[k].at.After(start) })
	r := WindowReading{Sent: len(c.sends) - first}
	for _, at := range c.verified {
		if at.After(start) {
			r.Verified++
		}
	}
	if r.Sent >= w.Count {
		r.FreeAt = c.sends[len(c.sends)-w.Count].at.Add(w.Per)
	}
	return r
}

// sweep drops every counter whose TTL ran out.
func (m *memoryCounters) sweep(now time.Time) {
	for key, c := range m.counters {
		if !c.expires.After(now) {
			delete(m.counters, key)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
