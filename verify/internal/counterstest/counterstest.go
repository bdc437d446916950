// Package counterstest holds the behaviour every verify.CounterStore must show, run by the tests of
// each implementation (the memory store's and Redis's) so both answer alike.
package counterstest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/verify"
)

// Run runs every case against fresh counters from newCounters; each case gets its own keys, so
// newCounters may hand out one shared store.
func Run(t *testing.T, newCounters func(t *testing.T) verify.CounterStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, c verify.CounterStore, key string)
	}{
		{"windows read sends before this one", windows},
		{"a window slides", slides},
		{"several counters answer in order", order},
		{"uncount takes a send back", uncount},
		{"verifications count by the time of their send", verified},
		{"concurrent sends each see the others", concurrent},
		{"a send ahead of the clock still counts", ahead},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newCounters(t), fmt.Sprintf("test:%s:%d", t.Name(), i))
		})
	}
}

// send counts one send at now under the counters qs and returns the readings.
func send(t *testing.T, c verify.CounterStore, id string, now time.Time, qs ...verify.CounterQuery) []verify.CounterReading {
	t.Helper()
	rs, err := c.CountSend(context.Background(), verify.CountRequest{ID: id, Now: now, Counters: qs})
	require.NoError(t, err)
	require.Len(t, rs, len(qs))
	for i, q := range qs {
		require.Len(t, rs[i], len(q.Windows))
	}
	return rs
}

func windows(t *testing.T, c verify.CounterStore, key string) {
	clock := testkit.NewClock()
	t0 := clock.Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 3, Per: 10 * time.Minute}, {Count: 5, Per: time.Hour}}}
	want := []verify.CounterReading{
		{{Sent: 0}, {Sent: 0}},
		{{Sent: 1}, {Sent: 1}},
		{{Sent: 2}, {Sent: 2}},
		// Three sends at t0, +1m, +2m: the window of 3 is full until the first leaves at t0+10m.
		{{Sent: 3, FreeAt: t0.Add(10 * time.Minute)}, {Sent: 3}},
		{{Sent: 4, FreeAt: t0.Add(11 * time.Minute)}, {Sent: 4}},
		{{Sent: 5, FreeAt: t0.Add(12 * time.Minute)}, {Sent: 5, FreeAt: t0.Add(time.Hour)}},
	}
	for i, w := range want {
		got := send(t, c, fmt.Sprintf("s%d", i), clock.Now(), q)
		assert.Equal(t, w, got[0], "send %d at +%s", i, clock.Now().Sub(t0))
		clock.Advance(time.Minute)
	}
}

func slides(t *testing.T, c verify.CounterStore, key string) {
	clock := testkit.NewClock()
	t0 := clock.Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 2, Per: time.Minute}}}
	send(t, c, "a", t0, q)
	send(t, c, "b", t0, q)
	clock.Advance(time.Minute - time.Millisecond)
	got := send(t, c, "probe1", clock.Now(), q)
	assert.Equal(t, verify.WindowReading{Sent: 2, FreeAt: t0.Add(time.Minute)}, got[0][0], "just inside the window")
	require.NoError(t, c.UncountSend(context.Background(), verify.CountRequest{ID: "probe1", Counters: []verify.CounterQuery{q}}))
	clock.Set(t0.Add(time.Minute))
	got = send(t, c, "c", clock.Now(), q)
	assert.Equal(t, verify.WindowReading{Sent: 0}, got[0][0], "the window is (now-Per, now]: sends at t0 left it at t0+Per")
}

func order(t *testing.T, c verify.CounterStore, key string) {
	now := testkit.NewClock().Now()
	a := verify.CounterQuery{Key: key + ":a", Windows: []verify.Limit{{Count: 1, Per: time.Hour}}}
	b := verify.CounterQuery{Key: key + ":b", Windows: []verify.Limit{{Count: 1, Per: time.Hour}}}
	send(t, c, "1", now, a)
	send(t, c, "2", now, a)
	got := send(t, c, "3", now, b, a)
	assert.Equal(t, 0, got[0][0].Sent, "b")
	assert.Equal(t, 2, got[1][0].Sent, "a")
}

func uncount(t *testing.T, c verify.CounterStore, key string) {
	ctx := context.Background()
	now := testkit.NewClock().Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 1, Per: time.Hour}}}
	send(t, c, "kept", now, q)
	send(t, c, "taken", now, q)
	req := verify.CountRequest{ID: "taken", Now: now, Counters: []verify.CounterQuery{q}}
	require.NoError(t, c.UncountSend(ctx, req))
	require.NoError(t, c.UncountSend(ctx, req), "taking back twice is no error")
	require.NoError(t, c.UncountSend(ctx, verify.CountRequest{ID: "x", Counters: []verify.CounterQuery{{Key: key + ":none"}}}))
	got := send(t, c, "next", now, q)
	assert.Equal(t, 1, got[0][0].Sent)
}

func verified(t *testing.T, c verify.CounterStore, key string) {
	ctx := context.Background()
	clock := testkit.NewClock()
	t0 := clock.Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 4, Per: time.Hour}}, Verified: true}
	send(t, c, "early", t0, q)
	clock.Advance(30 * time.Minute)
	send(t, c, "late", clock.Now(), q)
	clock.Advance(29 * time.Minute)
	// The early send is verified late: it counts where it was sent, so it leaves with it.
	req := func(id string) verify.CountRequest {
		return verify.CountRequest{ID: id, Now: clock.Now(), Counters: []verify.CounterQuery{q}}
	}
	require.NoError(t, c.CountVerified(ctx, req("early"), t0))
	require.NoError(t, c.CountVerified(ctx, req("early"), t0), "a double submit counts once")
	got := send(t, c, "p1", clock.Now(), q)
	assert.Equal(t, verify.WindowReading{Sent: 2, Verified: 1}, got[0][0])
	require.NoError(t, c.UncountSend(ctx, req("p1")))

	clock.Set(t0.Add(time.Hour))
	got = send(t, c, "p2", clock.Now(), q)
	assert.Equal(t, verify.WindowReading{Sent: 1, Verified: 0}, got[0][0], "the early send and its verification left together")
	require.NoError(t, c.UncountSend(ctx, req("p2")))

	// A send older than the longest window counts nowhere.
	require.NoError(t, c.CountVerified(ctx, req("ancient"), t0.Add(-time.Minute)))
	require.NoError(t, c.CountVerified(ctx, req("late"), t0.Add(30*time.Minute)))
	got = send(t, c, "p3", clock.Now(), q)
	assert.Equal(t, verify.WindowReading{Sent: 1, Verified: 1}, got[0][0])
}

func concurrent(t *testing.T, c verify.CounterStore, key string) {
	const n = 50
	now := testkit.NewClock().Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 3, Per: time.Hour}}}
	seen := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rs, err := c.CountSend(context.Background(), verify.CountRequest{ID: fmt.Sprint(i), Now: now, Counters: []verify.CounterQuery{q}})
			if assert.NoError(t, err) {
				seen[i] = rs[0][0].Sent
			}
		})
	}
	wg.Wait()
	sort.Ints(seen)
	for i := range n {
		require.Equal(t, i, seen[i], "every send saw every one before it, and only those")
	}
}

func ahead(t *testing.T, c verify.CounterStore, key string) {
	now := testkit.NewClock().Now()
	q := verify.CounterQuery{Key: key, Windows: []verify.Limit{{Count: 1, Per: time.Minute}}}
	send(t, c, "ahead", now.Add(time.Second), q) // another replica's clock runs a second fast
	got := send(t, c, "now", now, q)
	assert.Equal(t, verify.WindowReading{Sent: 1, FreeAt: now.Add(time.Second + time.Minute)}, got[0][0])
}
