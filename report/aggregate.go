package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// aggregator sums sessions into the rows of a report as they are read. Its memory is that of
// its rows (and of the groups of numbers it follows for suspects), never that of the sessions.
type aggregator struct {
	by        []Dimension
	byDay     bool
	byCountry bool
	byChannel bool

	total     acc
	rows      map[rowKey]*acc
	days      map[int64]*acc
	countries map[string]*acc
	prefixes  *prefixGroups

	messages Money // scratch: the current session's message prices per currency
}

// rowKey is a Key as a map key: the day as a day number since 1970-01-01 (UTC).
type rowKey struct {
	day     int64
	country string
	channel wrapper.Channel
}

// noDay marks a rowKey not grouped by day.
const noDay = -1 << 62

// acc accumulates the Stats of one row.
type acc struct {
	sessions     int
	statuses     Statuses
	messages     int
	sessionSpend Money
	messageSpend Money
	verify       *histogram // nil until the row's first verified session
}

func newAggregator(by []Dimension, maxPrefixes int) *aggregator {
	g := &aggregator{
		by:        slices.Clone(by),
		rows:      map[rowKey]*acc{},
		days:      map[int64]*acc{},
		countries: map[string]*acc{},
		prefixes:  newPrefixGroups(maxPrefixes),
	}
	for _, d := range by {
		switch d {
		case Day:
			g.byDay = true
		case Country:
			g.byCountry = true
		case Channel:
			g.byChannel = true
		}
	}
	return g
}

// session is what one session adds to every row it belongs to, worked out once.
type session struct {
	status       wrapper.Status
	messages     int
	currency     string
	price        wrapper.Price
	messageSpend Money // borrowed from the aggregator's scratch
	verifySec    int64 // -1 unless verified with both times known
}

// add counts one session.
func (g *aggregator) add(a *wrapper.Authentication) {
	g.messages = g.messages[:0]
	for i := range a.Messages {
		m := &a.Messages[i]
		cur := m.Currency
		if cur == "" {
			cur = a.Currency
		}
		g.messages = g.messages.add(cur, m.Price)
	}
	s := session{
		status:       a.Status,
		messages:     len(a.Messages),
		currency:     a.Currency,
		price:        a.Price,
		messageSpend: g.messages,
		verifySec:    -1,
	}
	if a.Status == wrapper.StatusVerified && !a.CreatedAt.IsZero() && !a.FinishedAt.IsZero() {
		s.verifySec = max(int64(a.FinishedAt.Sub(a.CreatedAt)/time.Second), 0)
	}

	day := dayNumber(a.CreatedAt)
	k := rowKey{day: noDay}
	if g.byDay {
		k.day = day
	}
	if g.byCountry {
		k.country = a.CountryCode
	}
	if g.byChannel {
		k.channel = a.Channel
	}
	g.total.add(&s)
	lookup(g.rows, k).add(&s)
	lookup(g.days, day).add(&s)
	lookup(g.countries, a.CountryCode).add(&s)
	g.prefixes.add(a, &s)
}

// lookup finds or makes the accumulator of key k.
func lookup[K comparable](m map[K]*acc, k K) *acc {
	r, ok := m[k]
	if !ok {
		r = new(acc)
		m[k] = r
	}
	return r
}

// dayNumber is the UTC day of t, as days since 1970-01-01.
func dayNumber(t time.Time) int64 {
	sec := t.Unix()
	d := sec / 86400
	if sec%86400 < 0 {
		d--
	}
	return d
}

func dayTime(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

func (r *acc) add(s *session) {
	r.sessions++
	switch s.status {
	case wrapper.StatusPending:
		r.statuses.Pending++
	case wrapper.StatusVerified:
		r.statuses.Verified++
	case wrapper.StatusExpired:
		r.statuses.Expired++
	case wrapper.StatusFailed:
		r.statuses.Failed++
	case wrapper.StatusCanceled:
		r.statuses.Canceled++
	default:
		r.statuses.Other++
	}
	r.messages += s.messages
	r.sessionSpend = r.sessionSpend.add(s.currency, s.price)
	r.messageSpend = r.messageSpend.plus(s.messageSpend)
	if s.verifySec >= 0 {
		if r.verify == nil {
			r.verify = new(histogram)
		}
		r.verify.add(s.verifySec)
	}
}

func (r *acc) stats() Stats {
	return Stats{
		Sessions:     r.sessions,
		Statuses:     r.statuses,
		Messages:     r.messages,
		SessionSpend: r.sessionSpend,
		MessageSpend: r.messageSpend,
		Spend:        slices.Clone(r.sessionSpend).plus(r.messageSpend),
		VerifyTime:   r.verify.durations(),
	}
}

// report turns the accumulators into a Report (From, To and Pages are the caller's).
func (g *aggregator) report(rule SuspectRule) *Report {
	rep := &Report{
		By:                      slices.Clone(g.by),
		Total:                   g.total.stats(),
		SuspectRule:             rule,
		UntrackedPrefixSessions: g.prefixes.untracked,
	}
	rep.Rows = make([]Row, 0, len(g.rows))
	for k, a := range g.rows {
		key := Key{Country: k.country, Channel: k.channel}
		if k.day != noDay {
			key.Day = dayTime(k.day)
		}
		rep.Rows = append(rep.Rows, Row{Key: key, Stats: a.stats()})
	}
	slices.SortFunc(rep.Rows, func(a, b Row) int { return compareKeys(g.by, a.Key, b.Key) })
	for d, a := range g.days {
		rep.Days = append(rep.Days, Row{Key: Key{Day: dayTime(d)}, Stats: a.stats()})
	}
	slices.SortFunc(rep.Days, func(a, b Row) int { return a.Day.Compare(b.Day) })
	for c, a := range g.countries {
		rep.Countries = append(rep.Countries, Row{Key: Key{Country: c}, Stats: a.stats()})
	}
	slices.SortFunc(rep.Countries, func(a, b Row) int { return cmp.Compare(a.Country, b.Country) })
	rep.Suspects = g.suspects(rule, rep.Countries)
	return rep
}

// compareKeys orders keys by the dimensions in the order given.
func compareKeys(by []Dimension, a, b Key) int {
	for _, d := range by {
		var c int
		switch d {
		case Day:
			c = a.Day.Compare(b.Day)
		case Country:
			c = cmp.Compare(a.Country, b.Country)
		case Channel:
			c = cmp.Compare(a.Channel, b.Channel)
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// suspects lists the countries and the groups of numbers that meet rule: countries first,
// then prefixes, each by sessions (most first), then by name.
func (g *aggregator) suspects(rule SuspectRule, countries []Row) []Suspect {
	suspect := func(sessions, verified int) bool {
		return sessions >= rule.MinSessions && float64(verified) < rule.Rate*float64(sessions)
	}
	var out []Suspect
	for _, c := range countries {
		if suspect(c.Sessions, c.Statuses.Verified) {
			out = append(out, Suspect{Kind: SuspectCountry, Country: c.Country, Sessions: c.Sessions,
				Verified: c.Statuses.Verified, Messages: c.Messages, Spend: c.Spend})
		}
	}
	pg := g.prefixes
	for k, a := range pg.groups {
		if suspect(int(a.sessions), int(a.verified)) {
			out = append(out, Suspect{Kind: SuspectPrefix, Country: pg.names[a.country], Prefix: k.String(),
				Sessions: int(a.sessions), Verified: int(a.verified), Messages: int(a.messages), Spend: pg.money(k, a)})
		}
	}
	slices.SortFunc(out, func(a, b Suspect) int {
		if a.Kind != b.Kind {
			if a.Kind == SuspectCountry {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Sessions, a.Sessions); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Country, b.Country), cmp.Compare(a.Prefix, b.Prefix))
	})
	return out
}
