package verify

import (
	"context"
	"time"
)

// CounterStore keeps the guard's sliding-window counts of codes sent and verified. A Store embeds it,
// so every replica that shares a Store shares the counters too. Times come from the caller (the
// Verifier's clock), never from the store.
//
// Every counter is kept no longer than its longest window (CounterQuery.TTL) after its last write.
// Implementations must be safe for concurrent use and make each counter's step of a call atomic;
// a networked store should answer each call in one round trip.
type CounterStore interface {
	// CountSend records the send req.ID at req.Now under every counter of req and returns, in the
	// order of req.Counters, what each counter's windows held just before it. Concurrent calls see
	// each other's sends, so a limit cannot be overrun by sending at once.
	CountSend(ctx context.Context, req CountRequest) ([]CounterReading, error)
	// UncountSend takes back the send req.ID recorded by CountSend: the guard blocked it, or the
	// service refused it. Taking back what is not there is not an error.
	UncountSend(ctx context.Context, req CountRequest) error
	// CountVerified records that the send req.ID, made at sentAt, was verified, under those counters
	// of req that keep verifications (CounterQuery.Verified). It counts in the windows sentAt fell
	// in; recording one verification twice counts it once.
	CountVerified(ctx context.Context, req CountRequest, sentAt time.Time) error
}

// CountRequest names one send and the counters it is counted under.
type CountRequest struct {
	ID       string    // unique per send
	Now      time.Time // the time of the send, or of the call for CountVerified
	Counters []CounterQuery
}

// CounterQuery is one counter of a decision and the windows the decision reads from it.
type CounterQuery struct {
	Key      string  // "phone:380501234567", "ip:192.0.2.1", "prefix:38050123", "country:UA", …
	Windows  []Limit // each read as a WindowReading; the window is (Now-Per, Now]
	Verified bool    // the counter also keeps verifications (conversion rules)
}

// TTL is how long the counter must be kept after its last write: its longest window.
func (q CounterQuery) TTL() time.Duration {
	var ttl time.Duration
	for _, w := range q.Windows {
		ttl = max(ttl, w.Per)
	}
	return ttl
}

// CounterReading holds one WindowReading for each window of a CounterQuery, in order.
type CounterReading []WindowReading

// WindowReading is what one window of a counter held before a send.
type WindowReading struct {
	Sent     int // sends in the window
	Verified int // of them, the verified ones (CounterQuery.Verified only)
	// FreeAt is when Sent falls below the window's Count if nothing else is sent: the time the
	// oldest send that keeps it at or above Count leaves the window. Zero while Sent < Count.
	FreeAt time.Time
}
