package verify

import (
	"log/slog"
	"time"
)

// EventKind is what happened to a verification.
type EventKind string

// The events a Verifier reports to Config.OnEvent.
const (
	EventSent      EventKind = "sent"       // a first code went out
	EventResent    EventKind = "resent"     // another code of the same verification went out
	EventVerified  EventKind = "verified"   // the right code was entered
	EventWrongCode EventKind = "wrong_code" // a wrong code was entered
	EventBlocked   EventKind = "blocked"    // the guard stopped a code, or would have (DryRun, SafePhone)
)

// Event is one thing that happened in a Verifier, handed to Config.OnEvent for metrics and alerts.
// It never holds a full phone number or a code.
type Event struct {
	Kind    EventKind
	Time    time.Time // from Config.Now
	ID      string    // the verification's ID, when there is one
	Phone   string    // masked: enough to tell numbers apart, not to dial them
	Country string    // ISO 3166-1 alpha-2 of the number

	// For EventBlocked: the rule, and when it would let the code through (0 = not by waiting).
	Reason     Reason
	RetryAfter time.Duration
	// DryRun and SafePhone mark an EventBlocked that was not enforced: the guard is in DryRun, or
	// the number is one of Guard.SafePhones. The code was sent; a sent or resent event follows.
	DryRun    bool
	SafePhone bool
}

// Enforced reports whether the event stopped a code: a blocked event that neither DryRun nor
// SafePhone let through.
func (e Event) Enforced() bool { return e.Kind == EventBlocked && !e.DryRun && !e.SafePhone }

// attrs are the event's log attributes.
func (e Event) attrs() []slog.Attr {
	attrs := []slog.Attr{slog.String("event", string(e.Kind)), slog.String("phone", e.Phone),
		slog.String("country", e.Country)}
	if e.ID != "" {
		attrs = append(attrs, slog.String("verification_id", e.ID))
	}
	if e.Kind == EventBlocked {
		attrs = append(attrs, slog.String("reason", string(e.Reason)), slog.Duration("retry_after", e.RetryAfter),
			slog.Bool("dry_run", e.DryRun), slog.Bool("safe_phone", e.SafePhone))
	}
	return attrs
}

// blockedEvent is the event of the guard's decision b about s.
func blockedEvent(b *BlockedError, at time.Time, dryRun, safe bool) Event {
	return Event{Kind: EventBlocked, Time: at, Phone: b.Phone, Country: b.Country, Reason: b.Reason,
		RetryAfter: b.RetryAfter, DryRun: dryRun, SafePhone: safe}
}

// emit hands e to Config.OnEvent, if set.
func (v *Verifier) emit(e Event) {
	if v.cfg.OnEvent != nil {
		v.cfg.OnEvent(e)
	}
}
