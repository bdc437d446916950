package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
)

var ctx = context.Background()

func TestKeysArePrefixedAndInThePhonesSlot(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []redisstore.Option
		wantPrefix string
	}{
		{name: "default", wantPrefix: redisstore.DefaultPrefix},
		{name: "custom", opts: []redisstore.Option{redisstore.WithPrefix("shop:otp:")}, wantPrefix: "shop:otp:"},
		{name: "braces removed", opts: []redisstore.Option{redisstore.WithPrefix("{shop}:")}, wantPrefix: "shop:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rdb := redistest.Start(t).Client(t)
			s := redisstore.New(rdb, tc.opts...)
			_, ok, err := s.Acquire(ctx, "380979965073", "", "token", time.Minute)
			require.NoError(t, err)
			require.True(t, ok)
			require.NoError(t, s.Commit(ctx, "380979965073", "token", []byte("data"), time.Minute))
			keys, err := rdb.Keys(ctx, "*").Result()
			require.NoError(t, err)
			assert.Equal(t, []string{tc.wantPrefix + "{380979965073}"}, keys)
			ttl, err := rdb.PTTL(ctx, keys[0]).Result()
			require.NoError(t, err)
			assert.InDelta(t, time.Minute, ttl, float64(5*time.Second))
		})
	}
}

// The store works through every kind of redis.UniversalClient; here a cluster, where one
// phone's keys must share a node.
func TestStoreOnAClusterThroughUniversalClient(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: c.Addrs})
	t.Cleanup(func() { _ = rdb.Close() })
	_, isCluster := rdb.(*redis.ClusterClient)
	require.True(t, isCluster)
	s := redisstore.New(rdb)
	for _, phone := range []string{"380979965073", "4915112345678", "12025550143", "447700900123"} {
		_, ok, err := s.Acquire(ctx, phone, "", "t-"+phone, time.Minute)
		require.NoError(t, err, phone)
		require.True(t, ok)
		require.NoError(t, s.Commit(ctx, phone, "t-"+phone, []byte(phone), time.Minute))
		e, err := s.Load(ctx, phone)
		require.NoError(t, err)
		assert.Equal(t, "t-"+phone, e.Version)
		assert.Equal(t, phone, string(e.Data))
	}
}
