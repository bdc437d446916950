package testkit

import (
	"sync"
	"time"
)

// Epoch is the instant a new Clock starts at: a fixed, ordinary UTC time, so
// tests never depend on the machine's clock.
var Epoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Clock is a clock that moves only when a test moves it. It is safe for
// concurrent use; pass its Now method wherever code takes a func() time.Time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock set to Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// NewClockAt returns a Clock set to t.
func NewClockAt(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
