package verify_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/verify"
)

// The pumping simulation: a script requests codes for numbers of one prefix of one country, none
// ever entered, while real users sign up and enter theirs, all through a Verifier with the default
// guard against the sandbox. Its traffic is a list of steps in time order drawn from a fixed seed,
// the same for every store and every run.

const (
	simPumped   = 2000             // Starts of the script
	simReal     = 200              // real users
	simDuration = 50 * time.Minute // both within one window of the default hourly rules
)

// simStep is one request of the simulation.
type simStep struct {
	at     time.Duration // since the start
	phone  string        // E.164 digits
	ip     netip.Addr
	user   int  // the real user's number, -1 for the script
	verify bool // enter the code of the user's last Start instead of starting
}

// simTraffic draws the simulation's steps: the script's Starts one every 1.5 s from a pool of
// rotating proxy addresses, to random numbers of hop prefixes of the pumped country taken in turn
// (1: the pumped range alone), and the real users arriving at random over the same 50 minutes,
// half of them in the pumped country, one in twenty behind one of three office NATs. A real user enters the code 20 to 90 s after the Start;
// one in six asks for another code first (40 to 70 s after the first) and enters that one.
func simTraffic(hop int) []simStep {
	rng := rand.New(rand.NewPCG(20261202, 14))
	var steps []simStep
	proxy := func() netip.Addr {
		return netip.AddrFrom4([4]byte{198, 18, byte(rng.IntN(2)), byte(1 + rng.IntN(254))})
	}
	for i := range simPumped {
		steps = append(steps, simStep{
			at:    time.Duration(i) * simDuration / simPumped,
			phone: fmt.Sprintf("%s%04d", simPumpedPrefix(i%hop), rng.IntN(10_000)),
			ip:    proxy(),
			user:  -1,
		})
	}
	offices := []netip.Addr{netip.MustParseAddr("203.0.113.10"), netip.MustParseAddr("203.0.113.20"),
		netip.MustParseAddr("203.0.113.30")}
	seen := map[string]bool{}
	for u := range simReal {
		phone := simRealPhone(rng, seen)
		ip := netip.AddrFrom4([4]byte{100, byte(64 + rng.IntN(64)), byte(rng.IntN(256)), byte(1 + rng.IntN(254))})
		if rng.IntN(20) == 0 { // one in twenty behind an office NAT shared with others
			ip = offices[rng.IntN(len(offices))]
		}
		at := time.Duration(rng.Int64N(int64(simDuration)))
		steps = append(steps, simStep{at: at, phone: phone, ip: ip, user: u})
		if rng.IntN(6) == 0 {
			at += 40*time.Second + time.Duration(rng.Int64N(int64(30*time.Second)))
			steps = append(steps, simStep{at: at, phone: phone, ip: ip, user: u})
		}
		at += 20*time.Second + time.Duration(rng.Int64N(int64(70*time.Second)))
		steps = append(steps, simStep{at: at, phone: phone, ip: ip, user: u, verify: true})
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	return steps
}

// simPumpedPrefix is the i-th prefix of the pumped country the script hops to; the 0th is the
// pumped range.
func simPumpedPrefix(i int) string { return fmt.Sprintf("380501%02d", 23+i) }

// simRealPhone draws a valid mobile number of a real user, new to seen: half in Ukraine (the
// pumped country, never in the pumped ranges), the rest in Poland, Germany, France and Britain.
func simRealPhone(rng *rand.Rand, seen map[string]bool) string {
	type plan struct {
		prefixes []string
		digits   int // after the prefix
	}
	ua := plan{[]string{"38050", "38063", "38066", "38067", "38068", "38073", "38093", "38095", "38096", "38097", "38098", "38099"}, 7}
	others := []plan{
		{[]string{"4850", "4851", "4853", "4857", "4860", "4866", "4869", "4872", "4878", "4879", "4888"}, 7},
		{[]string{"49151", "49152", "49160", "49162", "49170", "49171", "49176"}, 8},
		{[]string{"336", "337"}, 8},
		{[]string{"447"}, 9},
	}
	for {
		p := ua
		if rng.IntN(2) == 0 {
			p = others[rng.IntN(len(others))]
		}
		digits := p.prefixes[rng.IntN(len(p.prefixes))]
		for range p.digits {
			digits += string(rune('0' + rng.IntN(10)))
		}
		if seen[digits] || strings.HasPrefix(digits, "380501") {
			continue
		}
		num, err := phonenumbers.Parse("+"+digits, "")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		switch phonenumbers.GetNumberType(num) {
		case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
			seen[digits] = true
			return digits
		}
	}
}

// simResult is what a simulation let through and blocked.
type simResult struct {
	pumpedSent    int                   // codes that went to the pumped range
	pumpedBlocked map[verify.Reason]int // the script's Starts the guard stopped, by reason
	realBlocked   int                   // real users stopped at least once
	realReasons   map[verify.Reason]int // the real users' Starts the guard stopped, by reason
	realVerified  int                   // real users who entered a code that worked
	realSent      int                   // codes sent to real users
}

func (r simResult) String() string {
	return fmt.Sprintf("pumped range: %d codes let through of %d Starts (blocked: %v); real users: %d blocked (Starts blocked: %v), %d of %d verified, %d codes",
		r.pumpedSent, simPumped, r.pumpedBlocked, r.realBlocked, r.realReasons, r.realVerified, simReal, r.realSent)
}

// TestPumpingSimulation: 2,000 Starts of a script to one prefix and 200 real users, with each
// store. Goal: at most 25 codes to the pumped range, no real user blocked.
func TestPumpingSimulation(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		res := simulate(t, store(), 1)
		t.Log(res)
		assert.LessOrEqual(t, res.pumpedSent, 25, "codes to the pumped range")
		assert.Zero(t, res.realBlocked, "real users blocked")
		assert.Equal(t, simReal, res.realVerified, "real users verified")
	})
}

// TestPumpingSimulationPrefixHopping is the harder attack: the script spreads over 50 prefixes of
// the country, under every prefix rule. The country's conversion stops it once its first codes
// expire unused, and stops the country's real users with it until those codes leave the window:
// the price of the per-country rule, which a PerCountry limit sized to the traffic or SafePhones
// soften. The figures are in the README.
func TestPumpingSimulationPrefixHopping(t *testing.T) {
	res := simulate(t, verify.NewMemoryStore(), 50)
	t.Log(res)
	// At one Start per 1.5 s: the codes of the first 5 minutes (the code lifetime, before any is
	// judged) and of the minutes the real users' verified codes hold the share above 0.2.
	assert.LessOrEqual(t, res.pumpedSent, 300)
	assert.Positive(t, res.pumpedBlocked[verify.ReasonConversion])
}

// simulate runs the simulation's traffic with hop pumped prefixes through a Verifier with the
// default guard on store, against the sandbox on a fake clock.
func simulate(t *testing.T, store verify.Store, hop int) simResult {
	e := newEnv(t)
	v := e.verifier(t, store)
	t0 := e.clock.Now()
	res := simResult{pumpedBlocked: map[verify.Reason]int{}, realReasons: map[verify.Reason]int{}}
	last := map[int]*verify.Verification{} // each real user's verification
	blockedUsers := map[int]bool{}
	for _, st := range simTraffic(hop) {
		e.clock.Set(t0.Add(st.at))
		if st.verify {
			if ver := last[st.user]; ver != nil {
				_, err := v.Check(ctx, st.phone, e.code(t, ver.ID))
				require.NoError(t, err)
				res.realVerified++
			}
			continue
		}
		ver, err := v.Start(ctx, verify.StartRequest{Phone: st.phone, IP: st.ip})
		var b *verify.BlockedError
		switch {
		case errors.As(err, &b) && st.user < 0:
			res.pumpedBlocked[b.Reason]++
		case errors.As(err, &b):
			blockedUsers[st.user] = true
			res.realReasons[b.Reason]++
		case st.user < 0 && errors.Is(err, verify.ErrTooManySends):
		case err != nil:
			t.Fatalf("%s: %v", st.phone, err)
		case st.user < 0 && ver.Sent:
			res.pumpedSent++
		case ver.Sent:
			res.realSent++
			last[st.user] = ver
		}
	}
	res.realBlocked = len(blockedUsers)
	assert.Equal(t, res.pumpedSent+res.realSent, e.calls.get(opSend)+e.calls.get(opResend), "codes at the sandbox")
	return res
}
