package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// guardHarness runs a guard over memory counters with a fake clock, collecting its events and logs.
type guardHarness struct {
	t        *testing.T
	clock    *testkit.Clock
	g        *guard
	counters CounterStore
	logs     *testkit.SyncBuffer
	mu       sync.Mutex
	events   []Event
}

func newGuardHarness(t *testing.T, gd *Guard) *guardHarness {
	t.Helper()
	p, err := compilePolicy(gd, "UA", 5*time.Minute)
	require.NoError(t, err)
	h := &guardHarness{t: t, clock: testkit.NewClock(), counters: newMemoryCounters(), logs: &testkit.SyncBuffer{}}
	h.g = &guard{
		policy:   p,
		counters: h.counters,
		logger:   slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		onEvent: func(e Event) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.events = append(h.events, e)
		},
	}
	return h
}

// attempt is one code the test asks the guard about.
type attempt struct {
	phone string // E.164 with +
	ip    string
	user  string
}

func (h *guardHarness) subject(a attempt) subject {
	h.t.Helper()
	num, err := phonenumbers.Parse(a.phone, "")
	require.NoError(h.t, err, a.phone)
	var ip netip.Addr
	if a.ip != "" {
		ip = netip.MustParseAddr(a.ip)
	}
	return newSubject(num, ip, a.user)
}

func (h *guardHarness) admit(a attempt) (*admission, error) {
	h.t.Helper()
	return h.g.admit(context.Background(), h.subject(a), h.clock.Now())
}

// verify counts adm's code to a as verified now.
func (h *guardHarness) verify(a attempt, adm *admission) {
	h.t.Helper()
	require.NoError(h.t, h.g.verified(context.Background(), h.subject(a), adm.ID, adm.At, h.clock.Now()))
}

func (h *guardHarness) takeEvents() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.events
	h.events = nil
	return e
}

// blocked asserts err is a *BlockedError and returns it.
func blocked(t *testing.T, err error) *BlockedError {
	t.Helper()
	var b *BlockedError
	require.ErrorAs(t, err, &b)
	require.ErrorIs(t, err, ErrBlocked)
	return b
}

const (
	phoneUA  = "+380501234567" // mobile
	phoneUA2 = "+380501234999" // mobile, the same prefix
	phoneUA3 = "+380671112233" // mobile, another prefix
	phoneDE  = "+4915112345678"
)

func TestGuardRateLimits(t *testing.T) {
	lim := []Limit{{Count: 2, Per: 10 * time.Minute}}
	cases := []struct {
		name   string
		guard  Guard
		reason Reason
		scope  string
		// first, second and third are three attempts the rule counts together; other is one it
		// counts apart.
		first, second, third, other attempt
	}{
		{
			name: "per phone", guard: Guard{PerPhone: lim}, reason: ReasonPhoneRate, scope: "phone",
			first: attempt{phone: phoneUA}, second: attempt{phone: phoneUA}, third: attempt{phone: phoneUA},
			other: attempt{phone: phoneUA2},
		},
		{
			name: "per IP", guard: Guard{PerIP: lim}, reason: ReasonIPRate, scope: "ip",
			first: attempt{phone: phoneUA, ip: "192.0.2.1"}, second: attempt{phone: phoneUA2, ip: "192.0.2.1"},
			third: attempt{phone: phoneDE, ip: "::ffff:192.0.2.1"}, other: attempt{phone: phoneUA, ip: "192.0.2.2"},
		},
		{
			name: "per IPv6 /64", guard: Guard{PerIP: lim}, reason: ReasonIPRate, scope: "ip",
			first: attempt{phone: phoneUA, ip: "2001:db8:1:2::1"}, second: attempt{phone: phoneUA2, ip: "2001:db8:1:2:ffff::9"},
			third: attempt{phone: phoneDE, ip: "2001:db8:1:2::3"}, other: attempt{phone: phoneUA, ip: "2001:db8:1:3::1"},
		},
		{
			name: "per user", guard: Guard{PerUser: lim}, reason: ReasonUserRate, scope: "user",
			first: attempt{phone: phoneUA, user: "u-1"}, second: attempt{phone: phoneUA2, user: "u-1"},
			third: attempt{phone: phoneDE, user: "u-1"}, other: attempt{phone: phoneUA, user: "u-2"},
		},
		{
			name: "per prefix", guard: Guard{PerPrefix: lim}, reason: ReasonPrefixRate, scope: "prefix",
			first: attempt{phone: "+380501230001"}, second: attempt{phone: "+380501239999"},
			third: attempt{phone: "+380501235555"}, other: attempt{phone: "+380501240001"},
		},
		{
			name: "per country", guard: Guard{PerCountry: lim}, reason: ReasonCountryRate, scope: "country",
			first: attempt{phone: phoneUA}, second: attempt{phone: phoneUA2}, third: attempt{phone: phoneUA3},
			other: attempt{phone: phoneDE},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newGuardHarness(t, &tc.guard)
			t0 := h.clock.Now()
			_, err := h.admit(tc.first)
			require.NoError(t, err)
			h.clock.Advance(time.Minute)
			_, err = h.admit(tc.second)
			require.NoError(t, err)
			h.clock.Advance(time.Minute)

			for range 3 { // blocked attempts do not count: the window still frees at t0+10m
				_, err = h.admit(tc.third)
				b := blocked(t, err)
				assert.Equal(t, tc.reason, b.Reason)
				assert.Equal(t, tc.scope, b.Scope)
				assert.Equal(t, lim[0], b.Limit)
				assert.Equal(t, 2, b.Sent)
				assert.Equal(t, t0.Add(10*time.Minute).Sub(h.clock.Now()), b.RetryAfter)
				h.clock.Advance(time.Second)
			}
			_, err = h.admit(tc.other)
			require.NoError(t, err, "counted apart")

			h.clock.Set(t0.Add(10*time.Minute - time.Nanosecond))
			_, err = h.admit(tc.third)
			assert.Equal(t, time.Nanosecond, blocked(t, err).RetryAfter, "just before the first send leaves")
			h.clock.Set(t0.Add(10 * time.Minute))
			_, err = h.admit(tc.third)
			require.NoError(t, err, "the first send left the window")
			_, err = h.admit(tc.third)
			assert.Equal(t, time.Minute, blocked(t, err).RetryAfter, "the second send leaves a minute later")
		})
	}
}

func TestGuardSeveralLimitsOfOneScope(t *testing.T) {
	h := newGuardHarness(t, &Guard{PerPhone: []Limit{{Count: 3, Per: 10 * time.Minute}, {Count: 5, Per: 24 * time.Hour}}})
	t0 := h.clock.Now()
	for i := range 5 {
		if i == 3 {
			h.clock.Set(t0.Add(10 * time.Minute))
		}
		_, err := h.admit(attempt{phone: phoneUA})
		require.NoError(t, err, "send %d", i)
	}
	_, err := h.admit(attempt{phone: phoneUA})
	b := blocked(t, err)
	assert.Equal(t, Limit{Count: 5, Per: 24 * time.Hour}, b.Limit, "the daily limit holds longer than the 10-minute one")
	assert.Equal(t, 24*time.Hour-10*time.Minute, b.RetryAfter)
}

func TestGuardLongestRuleWins(t *testing.T) {
	h := newGuardHarness(t, &Guard{
		PerPhone: []Limit{{Count: 1, Per: time.Minute}},
		PerIP:    []Limit{{Count: 1, Per: time.Hour}},
	})
	a := attempt{phone: phoneUA, ip: "198.51.100.1"}
	_, err := h.admit(a)
	require.NoError(t, err)
	_, err = h.admit(a)
	b := blocked(t, err)
	assert.Equal(t, ReasonIPRate, b.Reason)
	assert.Equal(t, time.Hour, b.RetryAfter)

	h = newGuardHarness(t, &Guard{PerPhone: []Limit{{Count: 1, Per: time.Hour}}, DenyCountries: []string{"ua"}})
	_, err = h.admit(attempt{phone: phoneUA})
	b = blocked(t, err)
	assert.Equal(t, ReasonCountry, b.Reason, "waiting cannot help: the country rule comes first")
	assert.Zero(t, b.RetryAfter)
}

func TestGuardRefuseNeedsNoStore(t *testing.T) {
	p, err := compilePolicy(&Guard{DenyCountries: []string{"UA"}, PerPhone: []Limit{{1, time.Hour}}}, "", 5*time.Minute)
	require.NoError(t, err)
	var events []Event
	g := &guard{policy: p, counters: failingCounters{}, onEvent: func(e Event) { events = append(events, e) }}
	num, err := phonenumbers.Parse(phoneUA, "")
	require.NoError(t, err)
	b := g.refuse(context.Background(), newSubject(num, netip.Addr{}, ""), testkit.Epoch)
	require.NotNil(t, b)
	assert.Equal(t, ReasonCountry, b.Reason)
	assert.Len(t, events, 1)
	num, err = phonenumbers.Parse(phoneDE, "")
	require.NoError(t, err)
	assert.Nil(t, g.refuse(context.Background(), newSubject(num, netip.Addr{}, ""), testkit.Epoch))

	p.dryRun = true
	num, err = phonenumbers.Parse(phoneUA, "")
	require.NoError(t, err)
	assert.Nil(t, g.refuse(context.Background(), newSubject(num, netip.Addr{}, ""), testkit.Epoch), "DryRun: admit reports it")
}

func TestGuardCountries(t *testing.T) {
	cases := []struct {
		name    string
		guard   Guard
		phone   string
		blocked bool
	}{
		{name: "allowed list admits", guard: Guard{Countries: []string{"UA", "de"}}, phone: phoneDE},
		{name: "allowed list refuses", guard: Guard{Countries: []string{"UA"}}, phone: phoneDE, blocked: true},
		{name: "deny list refuses", guard: Guard{DenyCountries: []string{"DE"}}, phone: phoneDE, blocked: true},
		{name: "deny list admits others", guard: Guard{DenyCountries: []string{"DE"}}, phone: phoneUA},
		{name: "no list admits all", guard: Guard{}, phone: "+919876543210"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newGuardHarness(t, &tc.guard)
			_, err := h.admit(attempt{phone: tc.phone})
			if !tc.blocked {
				require.NoError(t, err)
				return
			}
			b := blocked(t, err)
			assert.Equal(t, ReasonCountry, b.Reason)
			assert.Equal(t, "DE", b.Country)
			assert.Zero(t, b.RetryAfter)
		})
	}
}

func TestGuardNumberTypes(t *testing.T) {
	cases := []struct {
		phone string
		kind  NumberType
	}{
		{phone: "+380501234567", kind: NumberMobile},
		{phone: "+12015550123", kind: NumberFixedLineOrMobile},
		{phone: "+445612345678", kind: NumberVoIP},
		{phone: "+447012345678", kind: NumberPersonal},
		{phone: "+441212345678", kind: NumberFixedLine},
		{phone: "+449012345678", kind: NumberPremiumRate},
		{phone: "+4918012345", kind: NumberSharedCost},
		{phone: "+448001234567", kind: NumberTollFree},
		{phone: "+445512345678", kind: NumberUAN},
		{phone: "+447640123456", kind: NumberPager},
		{phone: "+49177991234567", kind: NumberVoicemail},
		{phone: "+447700900123", kind: NumberUnknown},
	}
	sms := map[NumberType]bool{}
	for _, k := range SMSNumberTypes() {
		sms[k] = true
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			h := newGuardHarness(t, DefaultGuard())
			require.Equal(t, tc.kind, h.subject(attempt{phone: tc.phone}).kind, "test number")
			_, err := h.admit(attempt{phone: tc.phone})
			if sms[tc.kind] {
				require.NoError(t, err)
			} else {
				b := blocked(t, err)
				assert.Equal(t, ReasonNumberType, b.Reason)
				assert.Equal(t, tc.kind, b.NumberType)
				assert.Zero(t, b.RetryAfter)
			}
			// Any kind can be allowed.
			h = newGuardHarness(t, &Guard{NumberTypes: []NumberType{tc.kind}})
			_, err = h.admit(attempt{phone: tc.phone})
			require.NoError(t, err)
		})
	}
	for _, k := range []NumberType{NumberPremiumRate, NumberSharedCost, NumberTollFree, NumberUAN, NumberPager,
		NumberVoicemail, NumberUnknown} {
		assert.False(t, sms[k], "%s must be blocked by default", k)
	}
}

func TestGuardConversion(t *testing.T) {
	conv := Conversion{Rate: 0.5, MinSends: 4, Per: time.Hour}
	cases := []struct {
		name  string
		scope string
		// numbers returns the i-th number of the range the rule counts together.
		numbers func(i int) string
		other   string   // a number counted apart
		healthy []string // real users of the same country, who enter their codes
	}{
		{name: "per prefix", scope: "prefix", numbers: func(i int) string { return fmt.Sprintf("+38050123%04d", i) },
			other: "+380671110000", healthy: []string{"+380671111111", "+380672222222", "+380673333333", "+380674444444"}},
		{name: "per country", scope: "country", numbers: func(i int) string { return fmt.Sprintf("+3805%d1234567", i) },
			other: phoneDE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newGuardHarness(t, &Guard{MinConversion: conv}) // codes live 5m
			t0 := h.clock.Now()
			realUsers := func() {
				for _, p := range tc.healthy {
					adm, err := h.admit(attempt{phone: p})
					require.NoError(t, err)
					h.verify(attempt{phone: p}, adm)
				}
			}
			send := func(i int) *admission {
				t.Helper()
				adm, err := h.admit(attempt{phone: tc.numbers(i)})
				require.NoError(t, err, "code %d at +%s", i, h.clock.Now().Sub(t0))
				return adm
			}
			realUsers()
			var sent []*admission
			for i := range 4 {
				sent = append(sent, send(i))
			}
			h.clock.Advance(time.Minute)
			h.verify(attempt{phone: tc.numbers(0)}, sent[0])
			send(4) // 1 of 5 verified, but the other codes can still be entered: nothing is judged yet

			h.clock.Set(t0.Add(5 * time.Minute)) // the first four codes expired, three unused
			realUsers()
			_, err := h.admit(attempt{phone: tc.numbers(5)})
			b := blocked(t, err)
			assert.Equal(t, ReasonConversion, b.Reason)
			assert.Equal(t, tc.scope, b.Scope)
			assert.Equal(t, conv, b.Conversion)
			assert.Equal(t, 4, b.Sent, "codes judged: the four expired ones")
			assert.Equal(t, 1, b.Verified)
			// At the latest when the sends fall below MinSends: when the burst leaves at t0+1h.
			assert.Equal(t, 55*time.Minute, b.RetryAfter)
			assert.Contains(t, b.Error(), "1 of 4 codes verified")

			adm, err := h.admit(attempt{phone: tc.other})
			require.NoError(t, err, "counted apart")
			h.verify(attempt{phone: tc.other}, adm)

			// Late verifications count for the window their sends fell in: 3 of 5 is enough.
			h.clock.Set(t0.Add(30 * time.Minute))
			h.verify(attempt{phone: tc.numbers(1)}, sent[1])
			h.verify(attempt{phone: tc.numbers(2)}, sent[2])
			send(5)
			h.clock.Set(t0.Add(36 * time.Minute))
			send(6) // 3 of 6 judged: half
			h.clock.Set(t0.Add(42 * time.Minute))
			_, err = h.admit(attempt{phone: tc.numbers(7)})
			b = blocked(t, err)
			assert.Equal(t, 7, b.Sent)
			assert.Equal(t, 3, b.Verified)
			assert.Equal(t, 18*time.Minute, b.RetryAfter)

			h.clock.Set(t0.Add(time.Hour))
			send(7) // the burst left the window: three codes are below MinSends
		})
	}
}

func TestGuardSafePhones(t *testing.T) {
	h := newGuardHarness(t, &Guard{
		PerPhone:      []Limit{{Count: 1, Per: time.Hour}},
		PerPrefix:     []Limit{{Count: 3, Per: time.Hour}},
		DenyCountries: []string{"UA"},
		SafePhones:    []string{"050 123 4567"}, // national form, read in the default region UA
	})
	for i := range 3 {
		_, err := h.admit(attempt{phone: phoneUA})
		require.NoError(t, err, "a safe phone is never blocked (send %d)", i)
	}
	events := h.takeEvents()
	require.Len(t, events, 3, "what would have blocked is still reported")
	assert.Equal(t, ReasonCountry, events[0].Reason)
	assert.True(t, events[0].SafePhone)
	assert.False(t, events[0].Enforced())

	// The safe phone's sends still count: its prefix is full for everyone else.
	h2 := newGuardHarness(t, &Guard{PerPrefix: []Limit{{Count: 3, Per: time.Hour}}, SafePhones: []string{phoneUA}})
	for range 3 {
		_, err := h2.admit(attempt{phone: phoneUA})
		require.NoError(t, err)
	}
	_, err := h2.admit(attempt{phone: phoneUA2})
	b := blocked(t, err)
	assert.Equal(t, ReasonPrefixRate, b.Reason)
	assert.Equal(t, 3, b.Sent)
}

func TestGuardDryRun(t *testing.T) {
	gd := DefaultGuard()
	gd.DryRun = true
	gd.DenyCountries = []string{"DE"}
	h := newGuardHarness(t, gd)
	for i := range 5 {
		_, err := h.admit(attempt{phone: phoneUA})
		require.NoError(t, err, "DryRun never blocks (send %d)", i)
	}
	_, err := h.admit(attempt{phone: phoneDE})
	require.NoError(t, err)
	_, err = h.admit(attempt{phone: "+449012345678"})
	require.NoError(t, err)

	events := h.takeEvents()
	var reasons []Reason
	for _, e := range events {
		assert.Equal(t, EventBlocked, e.Kind)
		assert.True(t, e.DryRun)
		assert.False(t, e.Enforced())
		reasons = append(reasons, e.Reason)
	}
	assert.Equal(t, []Reason{ReasonPhoneRate, ReasonPhoneRate, ReasonCountry, ReasonNumberType}, reasons,
		"sends 4 and 5 would have been blocked, and so would Germany and the premium-rate number")
	assert.Equal(t, 10*time.Minute, events[0].RetryAfter)

	logs := h.logs.String()
	assert.Equal(t, 4, strings.Count(logs, `"level":"INFO"`), logs)
	assert.Contains(t, logs, `"msg":"verify: guard let through a code it would block"`)
	assert.Contains(t, logs, `"reason":"phone_rate"`)
	assert.Contains(t, logs, `"phone":"380******567"`)
	assert.Contains(t, logs, `"dry_run":true`)
}

func TestGuardBlockLogsAndEvents(t *testing.T) {
	h := newGuardHarness(t, &Guard{PerPhone: []Limit{{Count: 1, Per: time.Hour}}})
	_, err := h.admit(attempt{phone: phoneUA})
	require.NoError(t, err)
	assert.Empty(t, h.takeEvents(), "a send let through is the Verifier's to report")
	assert.Empty(t, h.logs.String())

	_, err = h.admit(attempt{phone: phoneUA})
	blocked(t, err)
	events := h.takeEvents()
	require.Len(t, events, 1)
	assert.Equal(t, Event{Kind: EventBlocked, Time: h.clock.Now(), Phone: "380******567", Country: "UA",
		Reason: ReasonPhoneRate, RetryAfter: time.Hour}, events[0])
	assert.True(t, events[0].Enforced())
	logs := h.logs.String()
	assert.Contains(t, logs, `"msg":"verify: guard blocked a code"`)
	assert.Contains(t, logs, `"level":"INFO"`)
	assert.NotContains(t, logs, "380501234567")
}

func TestGuardWithoutRulesTouchesNoStore(t *testing.T) {
	p, err := compilePolicy(&Guard{}, "", 5*time.Minute)
	require.NoError(t, err)
	assert.False(t, p.enabled())
	g := &guard{policy: p, counters: failingCounters{}}
	num, err := phonenumbers.Parse("+449012345678", "")
	require.NoError(t, err)
	_, err = g.admit(context.Background(), newSubject(num, netip.MustParseAddr("192.0.2.1"), "u"), testkit.Epoch)
	require.NoError(t, err, "the zero Guard has no rules, not even the number type")
}

// failingCounters is a store that cannot be reached.
type failingCounters struct{}

var errUnreachable = errors.New("dial tcp 127.0.0.1:1: connection refused")

func (failingCounters) CountSend(context.Context, CountRequest) ([]CounterReading, error) {
	return nil, errUnreachable
}
func (failingCounters) UncountSend(context.Context, CountRequest) error { return errUnreachable }
func (failingCounters) CountVerified(context.Context, CountRequest, time.Time) error {
	return errUnreachable
}

// shortCounters answers with fewer readings than asked for.
type shortCounters struct{ failingCounters }

func (shortCounters) CountSend(context.Context, CountRequest) ([]CounterReading, error) {
	return []CounterReading{{}}, nil
}

func TestGuardStoreFailureFailsClosed(t *testing.T) {
	for _, c := range []CounterStore{failingCounters{}, shortCounters{}} {
		p, err := compilePolicy(DefaultGuard(), "", 5*time.Minute)
		require.NoError(t, err)
		var logs bytes.Buffer
		g := &guard{policy: p, counters: c, logger: slog.New(slog.NewTextHandler(&logs, nil))}
		num, err := phonenumbers.Parse(phoneUA, "")
		require.NoError(t, err)
		s := newSubject(num, netip.Addr{}, "")
		_, err = g.admit(context.Background(), s, testkit.Epoch)
		require.ErrorIs(t, err, ErrStoreUnavailable)
		assert.NotErrorIs(t, err, ErrBlocked)
		err = g.verified(context.Background(), s, "id", testkit.Epoch, testkit.Epoch)
		if _, short := c.(shortCounters); !short {
			assert.ErrorIs(t, err, errUnreachable)
		}
	}
}

func TestBlockedErrorNeverShowsThePhone(t *testing.T) {
	h := newGuardHarness(t, &Guard{PerPhone: []Limit{{Count: 1, Per: time.Hour}}})
	_, err := h.admit(attempt{phone: phoneUA})
	require.NoError(t, err)
	_, err = h.admit(attempt{phone: phoneUA})
	wrapped := fmt.Errorf("start: %w", err)
	require.ErrorIs(t, wrapped, ErrBlocked)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assert.NotContains(t, s, "380501234567")
		assert.NotContains(t, s, "501234567")
	}
	assert.Equal(t, "verify: blocked by the guard: phone_rate (1 codes in 1h0m0s, limit 1), retry after 1h0m0s", err.Error())
	assert.ErrorIs(t, &BlockedError{}, ErrBlocked, "every *BlockedError")
	assert.NotErrorIs(t, errors.New("x"), ErrBlocked)
}

func TestDefaultGuard(t *testing.T) {
	g := DefaultGuard()
	assert.Equal(t, []Limit{{3, 10 * time.Minute}, {10, 24 * time.Hour}}, g.PerPhone)
	assert.Equal(t, []Limit{{10, time.Hour}}, g.PerIP)
	assert.Empty(t, g.PerUser)
	assert.Equal(t, []Limit{{20, time.Hour}}, g.PerPrefix)
	assert.Empty(t, g.PerCountry)
	assert.Empty(t, g.Countries)
	assert.Empty(t, g.DenyCountries)
	assert.Equal(t, Conversion{0.2, 20, time.Hour}, g.MinConversion)
	assert.Equal(t, SMSNumberTypes(), g.NumberTypes)
	assert.False(t, g.DryRun)
	g.PerPhone[0].Count = 99
	assert.Equal(t, 3, DefaultGuard().PerPhone[0].Count, "each call returns a fresh copy")

	nilPolicy, err := compilePolicy(nil, "", 5*time.Minute)
	require.NoError(t, err)
	defPolicy, err := compilePolicy(DefaultGuard(), "", 5*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, defPolicy, nilPolicy, "a nil Guard is the default")
}

func TestGuardValidation(t *testing.T) {
	cases := []struct {
		name  string
		guard Guard
		want  string
	}{
		{name: "zero count", guard: Guard{PerPhone: []Limit{{Count: 0, Per: time.Minute}}}, want: "Guard.PerPhone[0]"},
		{name: "negative window", guard: Guard{PerIP: []Limit{{Count: 1, Per: -time.Minute}}}, want: "Guard.PerIP[0]"},
		{name: "sub-millisecond window", guard: Guard{PerUser: []Limit{{Count: 1, Per: time.Microsecond}}}, want: "Guard.PerUser[0]"},
		{name: "second limit", guard: Guard{PerPrefix: []Limit{{1, time.Hour}, {}}}, want: "Guard.PerPrefix[1]"},
		{name: "country limit", guard: Guard{PerCountry: []Limit{{}}}, want: "Guard.PerCountry[0]"},
		{name: "rate above 1", guard: Guard{MinConversion: Conversion{Rate: 1.5, MinSends: 1, Per: time.Hour}}, want: "MinConversion"},
		{name: "rate zero", guard: Guard{MinConversion: Conversion{MinSends: 1, Per: time.Hour}}, want: "MinConversion"},
		{name: "no min sends", guard: Guard{MinConversion: Conversion{Rate: 0.2, Per: time.Hour}}, want: "MinConversion"},
		{name: "no window", guard: Guard{MinConversion: Conversion{Rate: 0.2, MinSends: 5}}, want: "MinConversion"},
		{name: "window within a code's life", guard: Guard{MinConversion: Conversion{Rate: 0.2, MinSends: 5, Per: 5 * time.Minute}}, want: "longer than the code lifetime 5m0s"},
		{name: "unknown country", guard: Guard{Countries: []string{"XX"}}, want: `Guard.Countries: "XX"`},
		{name: "alpha-3 country", guard: Guard{DenyCountries: []string{"UKR"}}, want: `Guard.DenyCountries: "UKR"`},
		{name: "allowed and denied", guard: Guard{Countries: []string{"UA"}, DenyCountries: []string{"ua"}}, want: "UA is in both"},
		{name: "unknown number type", guard: Guard{NumberTypes: []NumberType{"landline"}}, want: `"landline"`},
		{name: "safe phone without country", guard: Guard{SafePhones: []string{"0501234567"}}, want: "Guard.SafePhones[0] (050****567)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compilePolicy(&tc.guard, "", 5*time.Minute)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := compilePolicy(&Guard{SafePhones: []string{"0501234567"}}, "UA", 5*time.Minute)
	assert.NoError(t, err, "read in the default region")
}

func TestSubjectKeys(t *testing.T) {
	num, err := phonenumbers.Parse("+380501234567", "")
	require.NoError(t, err)
	s := newSubject(num, netip.MustParseAddr("2001:db8:aa:bb:1:2:3:4%eth0"), "alice@example.com")
	assert.Equal(t, "phone:380501234567", s.key(scopePhone))
	assert.Equal(t, "prefix:38050123", s.key(scopePrefix))
	assert.Equal(t, "country:UA", s.key(scopeCountry))
	assert.Equal(t, "ip:2001:db8:aa:bb::/64", s.key(scopeIP))
	assert.Regexp(t, `^user:[0-9a-f]{32}$`, s.key(scopeUser), "user ids are hashed: any string makes a safe key")
	assert.NotContains(t, s.key(scopeUser), "alice")

	s = newSubject(num, netip.Addr{}, "")
	assert.Empty(t, s.key(scopeIP))
	assert.Empty(t, s.key(scopeUser))
}

func TestMemoryCountersSweep(t *testing.T) {
	m := newMemoryCounters()
	now := testkit.Epoch
	q := CounterQuery{Key: "phone:1", Windows: []Limit{{Count: 1, Per: time.Minute}}}
	_, err := m.CountSend(context.Background(), CountRequest{ID: "a", Now: now, Counters: []CounterQuery{q}})
	require.NoError(t, err)
	later := now.Add(time.Minute)
	for i := range counterSweepEvery {
		q := CounterQuery{Key: fmt.Sprint("ip:", i), Windows: []Limit{{Count: 1, Per: time.Hour}}}
		_, err := m.CountSend(context.Background(), CountRequest{ID: "b", Now: later, Counters: []CounterQuery{q}})
		require.NoError(t, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	assert.NotContains(t, m.counters, "phone:1", "a counter past its TTL is swept")
	assert.Len(t, m.counters, counterSweepEvery)
}

func TestGuardReleaseTakesBackASend(t *testing.T) {
	h := newGuardHarness(t, &Guard{PerPhone: []Limit{{Count: 1, Per: time.Hour}}})
	adm, err := h.admit(attempt{phone: phoneUA})
	require.NoError(t, err)
	h.g.release(context.Background(), adm) // the service refused the send: no code went out
	_, err = h.admit(attempt{phone: phoneUA})
	require.NoError(t, err, "a released send does not count")
	_, err = h.admit(attempt{phone: phoneUA})
	blocked(t, err)
}
