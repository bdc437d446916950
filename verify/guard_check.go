package verify

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	phonemask "github.com/go-bsg/bsg2fa/internal/phone"
)

// guard applies a policy with counters in a store, logs its decisions and reports them.
type guard struct {
	policy   *policy
	counters CounterStore
	logger   *slog.Logger // nil: no logs
	onEvent  func(Event)  // nil: no events
}

// admission is a send the guard let through and counted; the Verifier keeps ID and At with the
// verification so its Check counts for the window the send fell in.
type admission struct {
	ID  string
	At  time.Time
	req CountRequest // what was counted, to take it back
}

// admit decides whether a code may go to s now. It returns the counted admission, a *BlockedError
// when a rule blocks (nothing is counted then), or an error wrapping ErrStoreUnavailable when the
// counters cannot be read: the guard fails closed. Every block, enforced or not, is logged at Info
// and reported as an EventBlocked.
func (g *guard) admit(ctx context.Context, s subject, now time.Time) (*admission, error) {
	a := &admission{ID: rand.Text(), At: now}
	safe := g.policy.safe[s.phone]
	enforce := !g.policy.dryRun && !safe
	blocked := g.policy.static(s)
	if blocked != nil && enforce {
		g.report(ctx, blocked, now, false)
		return nil, blocked
	}
	pl := g.policy.plan(s)
	if len(pl.queries) > 0 {
		a.req = CountRequest{ID: a.ID, Now: now, Counters: pl.queries}
		readings, err := g.counters.CountSend(ctx, a.req)
		if err != nil {
			return nil, fmt.Errorf("%w: guard counters: %w", ErrStoreUnavailable, err)
		}
		if err := checkReadings(pl.queries, readings); err != nil {
			g.uncount(ctx, a)
			return nil, fmt.Errorf("%w: guard counters: %w", ErrStoreUnavailable, err)
		}
		if blocked == nil {
			blocked = g.policy.decide(s, pl, readings, now)
		}
	}
	if blocked == nil {
		return a, nil
	}
	g.report(ctx, blocked, now, safe)
	if enforce {
		g.uncount(ctx, a)
		return nil, blocked
	}
	return a, nil
}

// refuse applies the rules that need no counter (country, number type) when they are enforced, so
// a Start can stop before it touches the store. A block is reported and returned.
func (g *guard) refuse(ctx context.Context, s subject, now time.Time) *BlockedError {
	if g.policy.dryRun || g.policy.safe[s.phone] {
		return nil // admit reports what they would have blocked
	}
	b := g.policy.static(s)
	if b != nil {
		g.report(ctx, b, now, false)
	}
	return b
}

// release takes back the count of a send the service refused: no code went out.
func (g *guard) release(ctx context.Context, a *admission) { g.uncount(ctx, a) }

// verified counts a verified code sent to s at sentAt (admission.At) as send id (admission.ID) in
// the conversion counters. A failure is logged and returned; the verification stands regardless.
func (g *guard) verified(ctx context.Context, s subject, id string, sentAt, now time.Time) error {
	qs := g.policy.conversionQueries(s)
	if len(qs) == 0 || id == "" {
		return nil
	}
	if err := g.counters.CountVerified(ctx, CountRequest{ID: id, Now: now, Counters: qs}, sentAt); err != nil {
		g.log(ctx, slog.LevelWarn, "verify: guard could not count a verification",
			slog.String("phone", phonemask.Mask(s.phone)), slog.Any("error", err))
		return fmt.Errorf("%w: guard counters: %w", ErrStoreUnavailable, err)
	}
	return nil
}

// uncount takes back a's send. It runs after the decision is made, so a failure is only logged:
// the extra count expires with its window.
func (g *guard) uncount(ctx context.Context, a *admission) {
	if len(a.req.Counters) == 0 {
		return
	}
	if err := g.counters.UncountSend(ctx, a.req); err != nil {
		g.log(ctx, slog.LevelWarn, "verify: guard could not take back a count", slog.Any("error", err))
	}
}

// report logs a block at Info and hands it to the event hook; safe says the number is one of
// the safe phones, so the block is not enforced.
func (g *guard) report(ctx context.Context, b *BlockedError, now time.Time, safe bool) {
	e := blockedEvent(b, now, g.policy.dryRun, safe)
	msg := "verify: guard blocked a code"
	if !e.Enforced() {
		msg = "verify: guard let through a code it would block"
	}
	attrs := append(e.attrs(), slog.String("scope", b.Scope), slog.Int("sent", b.Sent))
	g.log(ctx, slog.LevelInfo, msg, attrs...)
	if g.onEvent != nil {
		g.onEvent(e)
	}
}

func (g *guard) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if g.logger != nil {
		g.logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

// checkReadings rejects an answer of a store that does not match its question, so a broken store
// blocks nothing by accident and lets nothing through by accident either.
func checkReadings(qs []CounterQuery, rs []CounterReading) error {
	if len(rs) != len(qs) {
		return fmt.Errorf("%d readings for %d counters", len(rs), len(qs))
	}
	for i, q := range qs {
		if len(rs[i]) != len(q.Windows) {
			return fmt.Errorf("counter %s: %d readings for %d windows", q.Key, len(rs[i]), len(q.Windows))
		}
	}
	return nil
}
