package redistest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

func TestServerStartsStopsAndRestarts(t *testing.T) {
	s := Start(t)
	rdb := s.Client(t)
	ctx := context.Background()
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	s.Stop()
	require.Error(t, rdb.Ping(ctx).Err())
	s.Restart()
	require.NoError(t, rdb.Ping(ctx).Err())
	n, err := rdb.Exists(ctx, "k").Result()
	require.NoError(t, err)
	require.Zero(t, n, "a restarted server starts empty")
}

func TestClusterServesEverySlot(t *testing.T) {
	c := StartCluster(t)
	rdb := c.Client(t)
	ctx := context.Background()
	for i := range 30 {
		require.NoError(t, rdb.Set(ctx, fmt.Sprint("key", i), i, 0).Err())
	}
	var mu sync.Mutex
	var sizes []int64
	require.NoError(t, rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := m.DBSize(ctx).Result()
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
		return err
	}))
	require.Len(t, sizes, 3)
	for _, n := range sizes {
		require.Positive(t, n, "every master holds some of 30 keys: %v", sizes)
	}
}
