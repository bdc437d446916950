package redisstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/internal/counterstest"
)

func TestCountersSingleNode(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	counterstest.Run(t, func(*testing.T) verify.CounterStore { return newCounters(rdb, "bsg2fa:") })
}

func TestCountersCluster(t *testing.T) {
	rdb := redistest.StartCluster(t).Client(t)
	counterstest.Run(t, func(*testing.T) verify.CounterStore { return newCounters(rdb, "bsg2fa:") })
}

// decision is the counters of one decision of the default guard: phone, IP, prefix and country,
// the last two with the conversion window.
func decision(phone string) []verify.CounterQuery {
	conv := verify.Limit{Count: 20, Per: time.Hour}
	return []verify.CounterQuery{
		{Key: "phone:" + phone, Windows: []verify.Limit{{Count: 3, Per: 10 * time.Minute}, {Count: 10, Per: 24 * time.Hour}}},
		{Key: "ip:192.0.2.7", Windows: []verify.Limit{{Count: 10, Per: time.Hour}}},
		{Key: "prefix:" + phone[:len(phone)-4], Windows: []verify.Limit{{Count: 20, Per: time.Hour}, conv}, Verified: true},
		{Key: "country:UA", Windows: []verify.Limit{conv}, Verified: true},
	}
}

func TestCountersOneRoundTripAndTTL(t *testing.T) {
	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
	}{
		{name: "single node", rdb: redistest.Start(t).Client(t)},
		{name: "cluster", rdb: redistest.StartCluster(t).Client(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounters(tc.rdb, "rt:")
			qs := decision("380501234567")
			now := testkit.NewClock().Now()
			req := verify.CountRequest{ID: "send-1", Now: now, Counters: qs}

			hook := &redistest.RoundTrips{}
			tc.rdb.AddHook(hook)
			_, err := c.CountSend(ctx, req) // the first call may load the script
			require.NoError(t, err)
			req.ID = "send-2"
			assert.Equal(t, 1, hook.Count(func() {
				_, err = c.CountSend(ctx, req)
				require.NoError(t, err)
			}), "round trips of one decision")
			assert.Equal(t, 1, hook.Count(func() { require.NoError(t, c.CountVerified(ctx, req, now)) }),
				"round trips of one verification")
			assert.Equal(t, 1, hook.Count(func() { require.NoError(t, c.UncountSend(ctx, req)) }),
				"round trips of taking a send back")

			for _, q := range qs {
				for _, suffix := range []string{":s", ":v"} {
					key := fmt.Sprintf("rt:guard:{%s}%s", q.Key, suffix)
					ttl, err := tc.rdb.PTTL(ctx, key).Result()
					require.NoError(t, err)
					if suffix == ":v" && !q.Verified {
						assert.Equal(t, time.Duration(-2), ttl, "%s must not exist", key)
						continue
					}
					assert.Greater(t, ttl, time.Duration(0), "%s has a TTL", key)
					assert.LessOrEqual(t, ttl, q.TTL(), "%s outlives its longest window", key)
				}
			}
		})
	}
}

func TestCountersScriptCacheFlushed(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client(t)
	c := newCounters(rdb, "flush:")
	a := verify.CounterQuery{Key: "phone:1", Windows: []verify.Limit{{Count: 1, Per: time.Minute}}}
	b := verify.CounterQuery{Key: "ip:192.0.2.1", Windows: []verify.Limit{{Count: 1, Per: time.Minute}}}
	now := testkit.NewClock().Now()
	for i := range 3 {
		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		rs, err := c.CountSend(ctx, verify.CountRequest{ID: fmt.Sprint(i), Now: now, Counters: []verify.CounterQuery{a, b}})
		require.NoError(t, err)
		// Re-sent as EVAL after NOSCRIPT, each counter still counts each send once.
		assert.Equal(t, i, rs[0][0].Sent)
		assert.Equal(t, i, rs[1][0].Sent)
	}
}

func TestCountersStoreDown(t *testing.T) {
	srv := redistest.Start(t)
	c := newCounters(srv.Client(t), "down:")
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req := verify.CountRequest{ID: "x", Now: testkit.NewClock().Now(), Counters: decision("380501234567")}
	_, err := c.CountSend(ctx, req)
	assert.Error(t, err)
	assert.Error(t, c.CountVerified(ctx, req, req.Now))
	assert.Error(t, c.UncountSend(ctx, req))
}
