package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// Prices in units of 1e-7, the sandbox's defaults: the test sums them as integers, apart from
// wrapper.Price, and compares the decimal strings.
const (
	verifiedUnits = 200_000 // "0,02"
	messageUnits  = 642_918 // 0.0642918
)

// outcome is how a planned session ends.
type outcome int

const (
	verified outcome = iota
	wrongThenVerified
	failed // three wrong codes
	expired
	canceled
	pending
)

// planned is one session the scenario makes, with what the test expects of it.
type planned struct {
	day       int // days after the first
	country   string
	recipient string
	channel   wrapper.Channel
	outcome   outcome
	resends   int
	delay     int // seconds between the last send and the right code
}

func (p planned) status() wrapper.Status {
	switch p.outcome {
	case verified, wrongThenVerified:
		return wrapper.StatusVerified
	case failed:
		return wrapper.StatusFailed
	case expired:
		return wrapper.StatusExpired
	case canceled:
		return wrapper.StatusCanceled
	}
	return wrapper.StatusPending
}

func (p planned) messages() int { return 1 + p.resends }

// verifySeconds is the time from the first send to the right code: one second per resend,
// then the delay.
func (p planned) verifySeconds() int { return p.resends + p.delay }

func (p planned) sessionUnits() int64 {
	if p.status() == wrapper.StatusVerified {
		return verifiedUnits
	}
	return 0
}

func (p planned) messageUnits() int64 { return int64(p.messages()) * messageUnits }

// countries are the calling codes the scenario sends to, with a base number in each.
var countries = []struct{ code, base string }{
	{"UA", "38050"}, {"DE", "49151"}, {"US", "1202"}, {"GB", "44770"},
}

// scenarioDays is how many days the scenario spreads over.
const scenarioDays = 3

// plan makes the scenario: healthy traffic over three days, countries and both channels with
// every outcome; a pumped range of Nigerian numbers (22 sessions, 1 verified) that makes the
// prefix and, with two real Nigerian users, the country a suspect; and groups just on the
// safe side of the rule (19 unverified sessions; 20 sessions with exactly 20 % verified).
func plan() []planned {
	rng := rand.New(rand.NewPCG(15, 2026))
	var out []planned
	serial := 0
	number := func(base string) string {
		serial++
		return base + fmt.Sprintf("%07d", 1000000+serial*7919%9000000)
	}
	outcomes := []outcome{verified, verified, verified, verified, wrongThenVerified, failed, expired, canceled}
	for day := range scenarioDays {
		for i := range 30 {
			c := countries[(i+day)%len(countries)]
			p := planned{
				day: day, country: c.code, recipient: number(c.base),
				channel: []wrapper.Channel{wrapper.ChannelSMS, wrapper.ChannelViber}[rng.IntN(2)],
				outcome: outcomes[rng.IntN(len(outcomes))], resends: rng.IntN(3), delay: rng.IntN(25),
			}
			out = append(out, p)
		}
	}
	// The pumped range: 234803000xxxx, all on the second day, one verified.
	for i := range 22 {
		o := expired
		if i == 7 {
			o = verified
		}
		out = append(out, planned{day: 1, country: "NG", recipient: fmt.Sprintf("234803000%04d", 1000+i*37),
			channel: wrapper.ChannelSMS, outcome: o, delay: 3})
	}
	for i := range 2 {
		out = append(out, planned{day: 2, country: "NG", recipient: fmt.Sprintf("23481234%05d", 10000+i), channel: wrapper.ChannelViber, outcome: verified, delay: 9})
	}
	// 19 unverified to one German range: one short of the rule's 20.
	for i := range 19 {
		out = append(out, planned{day: 0, country: "DE", recipient: fmt.Sprintf("49176555%04d", 2000+i), channel: wrapper.ChannelSMS, outcome: failed})
	}
	// 20 to one British range, 4 verified: exactly 20 %, not below it.
	for i := range 20 {
		o := canceled
		if i%5 == 0 {
			o = verified
		}
		out = append(out, planned{day: 2, country: "GB", recipient: fmt.Sprintf("44791111%04d", 3000+i), channel: wrapper.ChannelViber, outcome: o, delay: 30})
	}
	// Sessions still pending at the end: the last ones of the last day.
	for i := range 5 {
		c := countries[i%len(countries)]
		out = append(out, planned{day: scenarioDays - 1, country: c.code, recipient: number(c.base), channel: wrapper.ChannelSMS, outcome: pending, resends: i % 2})
	}
	// Sessions are made in time order: by day, pending last.
	slices.SortStableFunc(out, func(a, b planned) int {
		if (a.outcome == pending) != (b.outcome == pending) {
			if a.outcome == pending {
				return 1
			}
			return -1
		}
		return a.day - b.day
	})
	return out
}

// env is a sandbox with its fake clock and a client of it.
type env struct {
	clock  *testkit.Clock
	sb     *sandbox.Server
	client *wrapper.Client
	close  func()
}

// first is the scenario's first day.
var first = time.Date(testkit.Epoch.Year(), testkit.Epoch.Month(), testkit.Epoch.Day(), 0, 0, 0, 0, time.UTC)

// newEnv starts a sandbox for one test.
func newEnv(t testing.TB, opts ...sandbox.Option) *env {
	t.Helper()
	e := startEnv(opts...)
	t.Cleanup(e.close)
	return e
}

// startEnv starts a sandbox on loopback; close stops it.
func startEnv(opts ...sandbox.Option) *env {
	clock := testkit.NewClock()
	opts = append([]sandbox.Option{
		sandbox.WithClock(clock.Now),
		sandbox.WithRand(rand.NewChaCha8([32]byte{'r', 'e', 'p', 'o', 'r', 't'})),
		sandbox.WithRetention(90 * 24 * time.Hour),
		sandbox.WithMaxSessions(1_000_000),
		sandbox.WithDeliveryDelay(0),
	}, opts...)
	sb := sandbox.New(opts...)
	ts := httptest.NewServer(sb)
	client, err := wrapper.New("report-test-key", wrapper.WithBaseURL(ts.URL))
	if err != nil {
		panic(err) // a loopback URL and a key: cannot fail
	}
	return &env{clock: clock, sb: sb, client: client, close: ts.Close}
}

// run makes the planned sessions, each in its own five-minute slot of its day (from 01:00),
// the pending ones two seconds apart in one slot so that none of them expires, and returns the ids in order.
func (e *env) run(t testing.TB, plans []planned) []string {
	t.Helper()
	ctx := context.Background()
	slot := map[int]int{}
	pendingStarted := false
	ids := make([]string, 0, len(plans))
	for _, p := range plans {
		if p.outcome == pending && pendingStarted {
			e.clock.Advance(2 * time.Second)
		} else {
			e.clock.Set(first.AddDate(0, 0, p.day).Add(time.Hour + time.Duration(slot[p.day])*5*time.Minute))
			slot[p.day]++
		}
		pendingStarted = pendingStarted || p.outcome == pending
		req := wrapper.SendOTPRequest{Recipient: p.recipient, Channel: p.channel, Sender: "Shop", TemplateID: 1}
		if p.outcome == expired {
			req.CodeLifetime = 30 * time.Second
		}
		a, err := e.client.SendOTP(ctx, req)
		require.NoError(t, err)
		require.Equal(t, p.country, a.CountryCode, p.recipient)
		ids = append(ids, a.ID)
		for range p.resends {
			e.clock.Advance(time.Second)
			_, err := e.client.ResendOTP(ctx, a.ID)
			require.NoError(t, err)
		}
		code, ok := e.sb.LastCode(a.ID)
		require.True(t, ok)
		switch p.outcome {
		case verified, wrongThenVerified:
			if p.outcome == wrongThenVerified {
				_, err := e.client.VerifyOTP(ctx, a.ID, wrong(code))
				require.ErrorIs(t, err, wrapper.ErrWrongCode)
			}
			e.clock.Advance(time.Duration(p.delay) * time.Second)
			got, err := e.client.VerifyOTP(ctx, a.ID, code)
			require.NoError(t, err)
			require.Equal(t, wrapper.StatusVerified, got.Status)
		case failed:
			for range 3 {
				_, err := e.client.VerifyOTP(ctx, a.ID, wrong(code))
				require.Error(t, err)
			}
		case expired:
			e.clock.Advance(31 * time.Second)
		case canceled:
			_, err := e.client.CancelOTP(ctx, a.ID)
			require.NoError(t, err)
		}
	}
	return ids
}

// wrong is a code of the same length that is not code.
func wrong(code string) string {
	last := code[len(code)-1]
	return code[:len(code)-1] + strconv.Itoa(int(last-'0'+1)%10)
}

// want is the test's own account of a group of sessions.
type want struct {
	sessions, messages                          int
	pending, verified, expired, failed, cancels int
	sessionUnits, messageUnits                  int64
	verifySecs                                  []int
}

func (w *want) add(p planned) {
	w.sessions++
	w.messages += p.messages()
	switch p.status() {
	case wrapper.StatusPending:
		w.pending++
	case wrapper.StatusVerified:
		w.verified++
		w.verifySecs = append(w.verifySecs, p.verifySeconds())
	case wrapper.StatusExpired:
		w.expired++
	case wrapper.StatusFailed:
		w.failed++
	case wrapper.StatusCanceled:
		w.cancels++
	}
	w.sessionUnits += p.sessionUnits()
	w.messageUnits += p.messageUnits()
}

// quantile is the nearest-rank quantile of the verify times, in seconds.
func (w *want) quantile(q float64) int {
	s := slices.Sorted(slices.Values(w.verifySecs))
	rank := int(q*float64(len(s)) + 0.999999999)
	return s[max(rank, 1)-1]
}

// units writes an amount of 1e-7 units as the shortest decimal: 2000000 → "0.2".
func units(u int64) string {
	s := fmt.Sprintf("%d.%07d", u/10_000_000, u%10_000_000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// keyOf is the test's key of a planned session for the given dimensions: "2026-11-03|UA|sms".
func keyOf(p planned, by []string) string {
	parts := make([]string, 0, len(by))
	for _, d := range by {
		switch d {
		case "day":
			parts = append(parts, first.AddDate(0, 0, p.day).Format(time.DateOnly))
		case "country":
			parts = append(parts, p.country)
		case "channel":
			parts = append(parts, string(p.channel))
		}
	}
	return strings.Join(parts, "|")
}

// group sums the plan by the given dimensions.
func group(plans []planned, by []string) map[string]*want {
	out := map[string]*want{}
	for _, p := range plans {
		k := keyOf(p, by)
		if out[k] == nil {
			out[k] = &want{}
		}
		out[k].add(p)
	}
	return out
}
