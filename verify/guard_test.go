package verify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// requireBlocked asserts err is a *verify.BlockedError and returns it.
func requireBlocked(t *testing.T, err error) *verify.BlockedError {
	t.Helper()
	var b *verify.BlockedError
	require.ErrorAs(t, err, &b)
	require.ErrorIs(t, err, verify.ErrBlocked)
	return b
}

// events collects what a Verifier reports to Config.OnEvent.
type events struct {
	mu  sync.Mutex
	all []verify.Event
}

func (e *events) add(ev verify.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) take() []verify.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.all
	e.all = nil
	return all
}

// kinds lists the kinds of evs, a blocked one with its reason.
func kinds(evs []verify.Event) []string {
	var out []string
	for _, e := range evs {
		k := string(e.Kind)
		if e.Kind == verify.EventBlocked {
			k += ":" + string(e.Reason)
		}
		out = append(out, k)
	}
	return out
}

// noCooldown lets every Start send, so each one asks the guard.
func noCooldown(c *verify.Config) {
	c.ResendCooldown = -1
	c.MaxSends = 100
}

// TestGuardRulesAtTheService runs each window rule through a Verifier against the sandbox: two
// codes are let through, the third is blocked before any request, a number counted apart is let
// through, and the window frees exactly when the first code leaves it.
func TestGuardRulesAtTheService(t *testing.T) {
	lim := []verify.Limit{{Count: 2, Per: 10 * time.Minute}}
	ip := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	cases := []struct {
		name                        string
		guard                       verify.Guard
		reason                      verify.Reason
		first, second, third, other verify.StartRequest
	}{
		{
			name: "per phone", guard: verify.Guard{PerPhone: lim}, reason: verify.ReasonPhoneRate,
			first: verify.StartRequest{Phone: phoneUA}, second: verify.StartRequest{Phone: phoneUA},
			third: verify.StartRequest{Phone: phoneUA}, other: verify.StartRequest{Phone: "380979965074"},
		},
		{
			name: "per IP", guard: verify.Guard{PerIP: lim}, reason: verify.ReasonIPRate,
			first:  verify.StartRequest{Phone: phoneUA, IP: ip("192.0.2.1")},
			second: verify.StartRequest{Phone: phoneDE, IP: ip("192.0.2.1")},
			third:  verify.StartRequest{Phone: "380631234567", IP: ip("192.0.2.1")},
			other:  verify.StartRequest{Phone: "380631234567", IP: ip("192.0.2.2")},
		},
		{
			name: "per user", guard: verify.Guard{PerUser: lim}, reason: verify.ReasonUserRate,
			first:  verify.StartRequest{Phone: phoneUA, UserID: "user-1"},
			second: verify.StartRequest{Phone: phoneDE, UserID: "user-1"},
			third:  verify.StartRequest{Phone: "380631234567", UserID: "user-1"},
			other:  verify.StartRequest{Phone: "380631234567", UserID: "user-2"},
		},
		{
			name: "per prefix", guard: verify.Guard{PerPrefix: lim}, reason: verify.ReasonPrefixRate,
			first: verify.StartRequest{Phone: "380979960001"}, second: verify.StartRequest{Phone: "380979960002"},
			third: verify.StartRequest{Phone: "380979969999"}, other: verify.StartRequest{Phone: "380979970001"},
		},
		{
			name: "per country", guard: verify.Guard{PerCountry: lim}, reason: verify.ReasonCountryRate,
			first: verify.StartRequest{Phone: phoneUA}, second: verify.StartRequest{Phone: "380631234567"},
			third: verify.StartRequest{Phone: "380501234567"}, other: verify.StartRequest{Phone: phoneDE},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, store func() verify.Store) {
				e := newEnv(t)
				v := e.verifier(t, store(), noCooldown, func(c *verify.Config) { c.Guard = &tc.guard })
				t0 := e.clock.Now()
				_, err := v.Start(ctx, tc.first)
				require.NoError(t, err)
				e.clock.Advance(time.Minute)
				_, err = v.Start(ctx, tc.second)
				require.NoError(t, err)
				e.clock.Advance(time.Minute)

				before := e.calls.total()
				_, err = v.Start(ctx, tc.third)
				b := requireBlocked(t, err)
				assert.Equal(t, tc.reason, b.Reason)
				assert.Equal(t, 2, b.Sent)
				assert.Equal(t, 8*time.Minute, b.RetryAfter, "the first code leaves the window at t0+10m")
				assert.Equal(t, before, e.calls.total(), "a blocked Start makes no request to the service")

				_, err = v.Start(ctx, tc.other)
				require.NoError(t, err, "counted apart")

				e.clock.Set(t0.Add(10*time.Minute - time.Millisecond))
				_, err = v.Start(ctx, tc.third)
				assert.Equal(t, time.Millisecond, requireBlocked(t, err).RetryAfter)
				e.clock.Set(t0.Add(10 * time.Minute))
				got, err := v.Start(ctx, tc.third)
				require.NoError(t, err, "blocked at t, let through at t+Per")
				assert.True(t, got.Sent)
			})
		})
	}
}

// TestGuardDefaultsAtTheService checks each default rule through a Verifier with Config.Guard nil.
func TestGuardDefaultsAtTheService(t *testing.T) {
	t.Run("per phone: 3 codes in 10 minutes, resends included", func(t *testing.T) {
		eachStore(t, func(t *testing.T, store func() verify.Store) {
			e := newEnv(t)
			v := e.verifier(t, store())
			for i := range 3 {
				got, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
				require.NoError(t, err)
				require.True(t, got.Sent, "code %d", i)
				e.clock.Advance(verify.DefaultResendCooldown)
			}
			before := e.calls.total()
			pending, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
			b := requireBlocked(t, err)
			assert.Equal(t, verify.ReasonPhoneRate, b.Reason)
			assert.Equal(t, 10*time.Minute-3*verify.DefaultResendCooldown, b.RetryAfter)
			assert.Equal(t, before, e.calls.total())
			require.NotNil(t, pending, "a blocked resend answers the pending verification, whose code still works")
			assert.Equal(t, 3, pending.Sends)
			_, err = v.Check(ctx, phoneUA, e.code(t, pending.ID))
			require.NoError(t, err)
		})
	})
	t.Run("per IP: 10 codes an hour", func(t *testing.T) {
		eachStore(t, func(t *testing.T, store func() verify.Store) {
			e := newEnv(t)
			v := e.verifier(t, store())
			ip := netip.MustParseAddr("198.51.100.7")
			for i := range 10 {
				_, err := v.Start(ctx, verify.StartRequest{Phone: ukrainian(i), IP: ip})
				require.NoError(t, err)
			}
			_, err := v.Start(ctx, verify.StartRequest{Phone: ukrainian(10), IP: ip})
			assert.Equal(t, verify.ReasonIPRate, requireBlocked(t, err).Reason)
			assert.Equal(t, time.Hour, requireBlocked(t, err).RetryAfter)
		})
	})
	t.Run("per prefix: 20 codes an hour", func(t *testing.T) {
		eachStore(t, func(t *testing.T, store func() verify.Store) {
			e := newEnv(t)
			v := e.verifier(t, store())
			for i := range 20 {
				_, err := v.Start(ctx, verify.StartRequest{Phone: fmt.Sprintf("38097123%04d", i)})
				require.NoError(t, err)
			}
			_, err := v.Start(ctx, verify.StartRequest{Phone: "380971239999"})
			assert.Equal(t, verify.ReasonPrefixRate, requireBlocked(t, err).Reason)
		})
	})
	t.Run("conversion: a fifth of 20 codes entered, per country", func(t *testing.T) {
		eachStore(t, func(t *testing.T, store func() verify.Store) {
			e := newEnv(t)
			v := e.verifier(t, store())
			var started []*verify.Verification
			for i := range 20 { // 20 prefixes of one country
				got, err := v.Start(ctx, verify.StartRequest{Phone: fmt.Sprintf("38097%02d12345", i)})
				require.NoError(t, err)
				started = append(started, got)
			}
			for _, s := range started[:3] {
				_, err := v.Check(ctx, s.Phone, e.code(t, s.ID))
				require.NoError(t, err)
			}
			e.clock.Advance(verify.DefaultCodeLifetime) // the other codes expire unused: 3 of 20
			before := e.calls.total()
			_, err := v.Start(ctx, verify.StartRequest{Phone: "380631112233"})
			b := requireBlocked(t, err)
			assert.Equal(t, verify.ReasonConversion, b.Reason)
			assert.Equal(t, "country", b.Scope)
			assert.Equal(t, 3, b.Verified)
			assert.Equal(t, before, e.calls.total())
			_, err = v.Start(ctx, verify.StartRequest{Phone: phoneDE})
			require.NoError(t, err, "other countries are judged apart")
		})
	})
	t.Run("number type: only numbers that take an SMS", func(t *testing.T) {
		eachStore(t, func(t *testing.T, store func() verify.Store) {
			e := newEnv(t)
			v := e.verifier(t, store())
			for _, n := range []string{"449012345678", "448001234567", "441212345678"} { // premium, toll-free, landline
				_, err := v.Start(ctx, verify.StartRequest{Phone: n})
				b := requireBlocked(t, err)
				assert.Equal(t, verify.ReasonNumberType, b.Reason)
				assert.Zero(t, b.RetryAfter, "waiting does not help")
			}
			assert.Zero(t, e.calls.total(), "nothing reached the service")
		})
	})
}

// TestGuardCountriesAtTheService blocks a country before the store or the service is asked.
func TestGuardCountriesAtTheService(t *testing.T) {
	e := newEnv(t)
	v := e.verifier(t, verify.NewMemoryStore(), func(c *verify.Config) {
		c.Guard = &verify.Guard{Countries: []string{"UA", "PL"}}
	})
	_, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE})
	b := requireBlocked(t, err)
	assert.Equal(t, verify.ReasonCountry, b.Reason)
	assert.Equal(t, "DE", b.Country)
	assert.Zero(t, b.RetryAfter)
	assert.Zero(t, e.calls.total())
	_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
}

// TestGuardConversionCountsVerifiedChecks: a verified Check counts for the window its send fell in.
func TestGuardConversionCountsVerifiedChecks(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t)
		conv := verify.Conversion{Rate: 0.5, MinSends: 4, Per: time.Hour}
		v := e.verifier(t, store(), func(c *verify.Config) { c.Guard = &verify.Guard{MinConversion: conv} })
		t0 := e.clock.Now()
		number := func(i int) string { return fmt.Sprintf("38097555%04d", i) }
		var started []*verify.Verification
		for i := range 4 {
			got, err := v.Start(ctx, verify.StartRequest{Phone: number(i)})
			require.NoError(t, err)
			started = append(started, got)
		}
		e.clock.Advance(time.Minute)
		for _, s := range started[:2] {
			_, err := v.Check(ctx, s.Phone, e.code(t, s.ID))
			require.NoError(t, err)
		}
		_, err := v.Check(ctx, started[2].Phone, wrongCode(e.code(t, started[2].ID)))
		require.ErrorIs(t, err, verify.ErrWrongCode)

		e.clock.Set(t0.Add(6 * time.Minute)) // every code expired or verified: 2 of 4 is half
		_, err = v.Start(ctx, verify.StartRequest{Phone: number(4)})
		require.NoError(t, err)
		e.clock.Set(t0.Add(12 * time.Minute)) // 2 of 5 is not
		before := e.calls.total()
		_, err = v.Start(ctx, verify.StartRequest{Phone: number(5)})
		b := requireBlocked(t, err)
		assert.Equal(t, verify.ReasonConversion, b.Reason)
		assert.Equal(t, "prefix", b.Scope)
		assert.Equal(t, 5, b.Sent)
		assert.Equal(t, 2, b.Verified)
		assert.Equal(t, 48*time.Minute, b.RetryAfter, "at the latest when the first four codes leave the window")
		assert.Equal(t, before, e.calls.total())

		e.clock.Set(t0.Add(time.Hour))
		_, err = v.Start(ctx, verify.StartRequest{Phone: number(5)})
		require.NoError(t, err, "the window moved on")
	})
}

// TestGuardSafePhonesAndDryRunAtTheService: a safe phone is never blocked but counted, DryRun
// never blocks but reports and logs every decision.
func TestGuardSafePhonesAndDryRunAtTheService(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		t.Run("safe phones", func(t *testing.T) {
			e := newEnv(t)
			var evs events
			v := e.verifier(t, store(), noCooldown, func(c *verify.Config) {
				c.Guard = &verify.Guard{PerPhone: []verify.Limit{{Count: 1, Per: time.Hour}},
					PerPrefix: []verify.Limit{{Count: 3, Per: time.Hour}}, SafePhones: []string{"+380 97 996 5073"}}
				c.OnEvent = evs.add
			})
			for range 3 {
				got, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
				require.NoError(t, err)
				assert.True(t, got.Sent)
			}
			got := evs.take()
			assert.Equal(t, []string{"sent", "blocked:phone_rate", "resent", "blocked:phone_rate", "resent"}, kinds(got))
			assert.True(t, got[1].SafePhone)
			assert.False(t, got[1].Enforced())
			_, err := v.Start(ctx, verify.StartRequest{Phone: "380979965074"})
			assert.Equal(t, verify.ReasonPrefixRate, requireBlocked(t, err).Reason, "the safe phone's codes count")
		})
		t.Run("dry run", func(t *testing.T) {
			e := newEnv(t)
			var evs events
			logs := &testkit.SyncBuffer{}
			g := verify.DefaultGuard()
			g.DryRun = true
			g.DenyCountries = []string{"DE"}
			v := e.verifier(t, store(), noCooldown, func(c *verify.Config) {
				c.Guard = g
				c.OnEvent = evs.add
				c.Logger = slog.New(slog.NewTextHandler(logs, nil))
			})
			for range 4 { // a phone of its own: the subtests share the store
				got, err := v.Start(ctx, verify.StartRequest{Phone: "380631234567"})
				require.NoError(t, err)
				assert.True(t, got.Sent)
			}
			_, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE})
			require.NoError(t, err)
			assert.Equal(t, 5, e.calls.get(opSend)+e.calls.get(opResend), "everything was sent")
			got := evs.take()
			assert.Equal(t, []string{"sent", "resent", "resent", "blocked:phone_rate", "resent", "blocked:country", "sent"}, kinds(got))
			for _, ev := range got {
				if ev.Kind == verify.EventBlocked {
					assert.True(t, ev.DryRun)
					assert.False(t, ev.Enforced())
				}
			}
			out := logs.String()
			assert.Equal(t, 2, strings.Count(out, `msg="verify: guard let through a code it would block"`), out)
			assert.Contains(t, out, "level=INFO")
			assert.Contains(t, out, "reason=phone_rate")
			assert.Contains(t, out, "phone=380******567")
			assert.NotContains(t, out, "380631234567")
		})
	})
}

// TestGuardEventsOfAVerification: every event a verification goes through reaches OnEvent.
func TestGuardEventsOfAVerification(t *testing.T) {
	e := newEnv(t)
	var evs events
	v := e.verifier(t, verify.NewMemoryStore(), func(c *verify.Config) {
		c.Guard = &verify.Guard{PerPhone: []verify.Limit{{Count: 2, Per: time.Hour}}}
		c.OnEvent = evs.add
	})
	started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	e.clock.Advance(verify.DefaultResendCooldown)
	_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	e.clock.Advance(verify.DefaultResendCooldown)
	_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	requireBlocked(t, err)
	code := e.code(t, started.ID)
	_, err = v.Check(ctx, phoneUA, wrongCode(code))
	require.ErrorIs(t, err, verify.ErrWrongCode)
	_, err = v.Check(ctx, phoneUA, code)
	require.NoError(t, err)
	got := evs.take()
	assert.Equal(t, []string{"sent", "resent", "blocked:phone_rate", "wrong_code", "verified"}, kinds(got))
	for _, ev := range got {
		assert.Equal(t, "380******073", ev.Phone)
		assert.Equal(t, "UA", ev.Country)
		assert.False(t, ev.Time.IsZero())
		if ev.Kind != verify.EventBlocked {
			assert.Equal(t, started.ID, ev.ID)
		}
	}
	assert.True(t, got[2].Enforced())
	assert.Equal(t, time.Hour-2*verify.DefaultResendCooldown, got[2].RetryAfter)
}

// failingCounters is a real store whose guard counters cannot be reached.
type failingCounters struct{ verify.Store }

var errCountersDown = errors.New("counters unreachable")

func (failingCounters) CountSend(context.Context, verify.CountRequest) ([]verify.CounterReading, error) {
	return nil, errCountersDown
}

func TestGuardStoreFailureSendsNothing(t *testing.T) {
	e := newEnv(t)
	store := verify.NewMemoryStore()
	v := e.verifier(t, failingCounters{store})
	_, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	require.ErrorIs(t, err, errCountersDown)
	assert.NotErrorIs(t, err, verify.ErrBlocked)
	assert.Zero(t, e.calls.total(), "fails closed: nothing sent")

	got, err := e.verifier(t, store).Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err, "the phone's lock was released")
	assert.True(t, got.Sent)
}

// TestGuardRedisDownSendsNothing stops Redis: a Start fails closed with ErrStoreUnavailable.
func TestGuardRedisDownSendsNothing(t *testing.T) {
	srv := redistest.Start(t)
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(srv.Client(t), redisstore.WithPrefix(uniquePrefix())))
	srv.Stop()
	_, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	assert.Zero(t, e.calls.total())
}

// TestGuardServiceRefusalDoesNotCount: a send the service refused takes its count back.
func TestGuardServiceRefusalDoesNotCount(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t, sandbox.WithStopList(phoneDE))
		v := e.verifier(t, store(), func(c *verify.Config) {
			c.Guard = &verify.Guard{PerIP: []verify.Limit{{Count: 1, Per: time.Hour}}}
		})
		ip := netip.MustParseAddr("192.0.2.33")
		_, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE, IP: ip})
		require.ErrorIs(t, err, wrapper.ErrStopList)
		got, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA, IP: ip})
		require.NoError(t, err, "the refused send did not count")
		assert.True(t, got.Sent)
		_, err = v.Start(ctx, verify.StartRequest{Phone: "380631234567", IP: ip})
		assert.Equal(t, verify.ReasonIPRate, requireBlocked(t, err).Reason)
	})
}

// TestGuardReplicasShareCounters: two replicas on one Redis, 50 concurrent Starts for one phone
// with no cooldown: the per-phone limit of 3 holds across both. And 50 Starts for 50 phones from
// one IP: the per-IP limit of 10 holds.
func TestGuardReplicasShareCounters(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stores func(t *testing.T) (verify.Store, verify.Store)
	}{
		{name: "single node", stores: func(t *testing.T) (verify.Store, verify.Store) {
			srv := redistest.Start(t)
			p := uniquePrefix()
			return redisstore.New(srv.Client(t), redisstore.WithPrefix(p)), redisstore.New(srv.Client(t), redisstore.WithPrefix(p))
		}},
		{name: "cluster", stores: func(t *testing.T) (verify.Store, verify.Store) {
			c := redistest.StartCluster(t)
			p := uniquePrefix()
			return redisstore.New(c.Client(t), redisstore.WithPrefix(p)), redisstore.New(c.Client(t), redisstore.WithPrefix(p))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a, b := tc.stores(t)
			replicas := []*verify.Verifier{e.verifier(t, a, noCooldown), e.verifier(t, b, noCooldown)}
			run := func(n int, req func(i int) verify.StartRequest) (sent int, reasons map[verify.Reason]int) {
				var mu sync.Mutex
				reasons = map[verify.Reason]int{}
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						got, err := replicas[i%2].Start(ctx, req(i))
						mu.Lock()
						defer mu.Unlock()
						var blocked *verify.BlockedError
						switch {
						case errors.As(err, &blocked):
							reasons[blocked.Reason]++
						case assert.NoError(t, err) && got.Sent:
							sent++
						}
					})
				}
				wg.Wait()
				return sent, reasons
			}

			sent, reasons := run(50, func(int) verify.StartRequest { return verify.StartRequest{Phone: phoneUA} })
			assert.Equal(t, 3, sent, "codes to one phone")
			assert.Equal(t, map[verify.Reason]int{verify.ReasonPhoneRate: 47}, reasons)
			assert.Equal(t, 3, e.calls.get(opSend)+e.calls.get(opResend), "at the sandbox")

			ip := netip.MustParseAddr("198.51.100.99")
			sent, reasons = run(50, func(i int) verify.StartRequest { return verify.StartRequest{Phone: ukrainian(100 + i), IP: ip} })
			assert.Equal(t, 10, sent, "codes from one IP")
			assert.Equal(t, map[verify.Reason]int{verify.ReasonIPRate: 40}, reasons)
		})
	}
}

// TestGuardRoundTrips counts the round trips to Redis of Starts the guard lets through and blocks.
func TestGuardRoundTrips(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	hook := &redistest.RoundTrips{}
	rdb.AddHook(hook)
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(rdb, redisstore.WithPrefix(uniquePrefix())), noCooldown, func(c *verify.Config) {
		c.Guard = verify.DefaultGuard()
		c.Guard.PerPhone = []verify.Limit{{Count: 1, Per: time.Hour}}
	})
	_, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE}) // loads the scripts, EVALSHA then EVAL
	require.NoError(t, err)
	_, err = v.Start(ctx, verify.StartRequest{Phone: phoneDE})
	requireBlocked(t, err)
	for _, s := range []struct {
		name  string
		phone string
		want  int
	}{
		{"Start that sends: read, lock, guard, write", phoneUA, 4},
		{"Start blocked by a window: read, lock, guard, take back, unlock", phoneUA, 5},
		{"Start blocked by the number type", "449012345678", 0},
	} {
		n := hook.Count(func() { _, _ = v.Start(ctx, verify.StartRequest{Phone: s.phone}) })
		t.Logf("%-66s %d round trips", s.name, n)
		assert.Equal(t, s.want, n, s.name)
	}
}
