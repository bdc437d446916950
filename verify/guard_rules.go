package verify

import (
	"math"
	"time"

	phonemask "github.com/go-bsg/bsg2fa/internal/phone"
)

// plan is the counters one decision reads, with what each of their windows means.
type plan struct {
	scopes  []scope        // the scope of each query
	queries []CounterQuery // in the order of scopes
	conv    []int          // the index of each query's conversion windows, or -1
}

// unlimited is the Count of a window read only for what it holds: no rule blocks on it.
const unlimited = math.MaxInt32

// plan lists the counters of s that some rule reads: each scope with limits, and the prefix and
// country counters when there is a conversion rule. Its windows are the last two of theirs: the
// conversion window, and the recent part of it where codes can still be entered (see decide).
func (p *policy) plan(s subject) plan {
	var pl plan
	for _, sc := range scopes {
		key := s.key(sc)
		if key == "" {
			continue
		}
		q := CounterQuery{Key: key, Windows: p.limits[sc]}
		conv := -1
		if p.conversion.enabled() && (sc == scopePrefix || sc == scopeCountry) {
			conv = len(q.Windows)
			q.Windows = append(append([]Limit(nil), q.Windows...),
				Limit{Count: p.conversion.MinSends, Per: p.conversion.Per}, Limit{Count: unlimited, Per: p.settle})
			q.Verified = true
		}
		if len(q.Windows) == 0 {
			continue
		}
		pl.scopes = append(pl.scopes, sc)
		pl.queries = append(pl.queries, q)
		pl.conv = append(pl.conv, conv)
	}
	return pl
}

// conversionQueries are the counters a verification of a code to s counts in.
func (p *policy) conversionQueries(s subject) []CounterQuery {
	pl := p.plan(s)
	var qs []CounterQuery
	for i, q := range pl.queries {
		if pl.conv[i] >= 0 {
			qs = append(qs, q)
		}
	}
	return qs
}

// static applies the rules no counter is needed for: the country and the kind of number.
// Waiting does not change them, so they block with no RetryAfter.
func (p *policy) static(s subject) *BlockedError {
	if p.deny[s.country] || (p.countries != nil && !p.countries[s.country]) {
		return s.blocked(ReasonCountry)
	}
	if p.types != nil && !p.types[s.kind] {
		return s.blocked(ReasonNumberType)
	}
	return nil
}

// decide applies the window rules of pl to what the counters held at now: nil when every rule lets
// the send through, else the rule that holds longest (the first of those that hold equally long).
// readings must match pl.queries one to one, and each reading its query's windows.
//
// The conversion rule judges only codes whose outcome is known: verified ones, and those whose
// lifetime is over. A code still pending is neither, so a burst of real sign-ups is not taken for
// codes nobody enters; pumping shows once its codes expire unused.
func (p *policy) decide(s subject, pl plan, readings []CounterReading, now time.Time) *BlockedError {
	var worst *BlockedError
	for i, q := range pl.queries {
		for j, w := range q.Windows {
			r := readings[i][j]
			var b *BlockedError
			switch {
			case pl.conv[i] >= 0 && j == pl.conv[i]+1:
				continue // the recent part of the conversion window, read with it
			case j == pl.conv[i]:
				c, recent := p.conversion, readings[i][j+1]
				judged := r.Sent - recent.Sent + recent.Verified
				if judged < c.MinSends || converted(r.Verified, judged, c.Rate) {
					continue
				}
				b = s.blocked(ReasonConversion)
				b.Conversion, b.Verified = c, r.Verified
				r.Sent = judged
			default:
				if r.Sent < w.Count {
					continue
				}
				b = s.blocked(rateReason[pl.scopes[i]])
				b.Limit = w
			}
			b.Scope, b.Sent = string(pl.scopes[i]), r.Sent
			// A window always frees after now; a store whose clock reading says otherwise gets the
			// shortest honest answer, not "never".
			b.RetryAfter = max(r.FreeAt.Sub(now), time.Nanosecond)
			if worst == nil || b.RetryAfter > worst.RetryAfter {
				worst = b
			}
		}
	}
	return worst
}

// blocked is a BlockedError for s with reason and no window yet.
func (s subject) blocked(reason Reason) *BlockedError {
	return &BlockedError{Reason: reason, Country: s.country, NumberType: s.kind, Phone: phonemask.Mask(s.phone)}
}

// converted reports whether verified of sent codes reach the share rate. The tolerance keeps
// binary fractions from failing an exact share: 4 of 20 meets 0.2.
func converted(verified, sent int, rate float64) bool {
	return float64(verified) >= rate*float64(sent)-1e-9
}
