package verify_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestRedisDownBeforeTheSendSendsNothing(t *testing.T) {
	srv := redistest.Start(t)
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(srv.Client(t), redisstore.WithPrefix(uniquePrefix())))
	started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	code := e.code(t, started.ID)
	srv.Stop()

	e.clock.Advance(time.Minute)
	got, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE})
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	assert.Nil(t, got)
	_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	_, err = v.Check(ctx, phoneUA, code)
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	require.ErrorIs(t, v.Cancel(ctx, phoneUA), verify.ErrStoreUnavailable)
	assert.Equal(t, 1, e.calls.get(opSend))
	assert.Zero(t, e.calls.get(opResend)+e.calls.get(opVerify)+e.calls.get(opCancel), "fail closed: nothing reached the service")
}

// Redis stops while the service sends the code: Start reports it without panicking, the
// unrecorded session is canceled, and the user's retry costs exactly one more SMS.
func TestRedisStopsInTheMiddleOfAStart(t *testing.T) {
	srv := redistest.Start(t)
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(srv.Client(t), redisstore.WithPrefix(uniquePrefix())))
	var once sync.Once
	e.calls.setBefore(func(op string) {
		if op == opSend {
			once.Do(srv.Stop)
		}
	})

	got, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.ErrorIs(t, err, verify.ErrStoreUnavailable)
	assert.Contains(t, err.Error(), "a code was sent but could not be recorded")
	assert.Nil(t, got)
	assert.Equal(t, 1, e.calls.get(opSend))
	assert.Equal(t, 1, e.calls.get(opCancel), "the session no replica can find is canceled")

	srv.Restart()
	retry, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	assert.True(t, retry.Sent)
	assert.Equal(t, 2, e.calls.get(opSend), "one extra SMS, no more")
	checked, err := v.Check(ctx, phoneUA, e.code(t, retry.ID))
	require.NoError(t, err)
	assert.Equal(t, wrapper.StatusVerified, checked.Status)
}

// Every key has a time to live, none longer than its verification plus a minute, and the
// phone's lock lives only while the service is called.
func TestRedisKeysHaveShortLives(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	prefix := uniquePrefix()
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(rdb, redisstore.WithPrefix(prefix)), func(c *verify.Config) { c.CodeLifetime = 2 * time.Minute })
	limit := 2*time.Minute + time.Minute

	assertTTLs := func(stage string, wantKeys int) {
		t.Helper()
		keys, err := rdb.Keys(ctx, prefix+"*").Result()
		require.NoError(t, err)
		assert.Len(t, keys, wantKeys, stage)
		for _, k := range keys {
			assert.True(t, strings.HasPrefix(k, prefix+"{"+phoneUA+"}"), "%s: %s is in the phone's hash slot", stage, k)
			ttl, err := rdb.PTTL(ctx, k).Result()
			require.NoError(t, err)
			assert.Positive(t, ttl, "%s: %s has a TTL", stage, k)
			assert.LessOrEqual(t, ttl, limit, "%s: %s", stage, k)
			if strings.HasSuffix(k, ":lock") {
				assert.LessOrEqual(t, ttl, 30*time.Second, "%s: the lock's lease", stage)
			}
		}
	}
	e.calls.setBefore(func(op string) {
		if op == opSend || op == opVerify {
			assertTTLs("during "+op, 1) // the lock alone on the first send, record + lock on verify
		}
	})
	started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	e.calls.setBefore(nil)
	assertTTLs("after the send", 1)
	_, err = v.Check(ctx, phoneUA, e.code(t, started.ID))
	require.NoError(t, err)
	assertTTLs("after the verification", 1)
}

// A Start and a Check each take at most three round trips to Redis.
func TestRedisRoundTripsPerCall(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	hook := &roundTrips{}
	rdb.AddHook(hook)
	e := newEnv(t)
	v := e.verifier(t, redisstore.New(rdb, redisstore.WithPrefix(uniquePrefix())))

	// The first use of each script loads it into Redis (EVALSHA, then EVAL): warm up on
	// another phone, so the counts below are those of every call after.
	warm, err := v.Start(ctx, verify.StartRequest{Phone: phoneDE})
	require.NoError(t, err)
	_, err = v.Check(ctx, phoneDE, wrongCode(e.code(t, warm.ID)))
	require.ErrorIs(t, err, verify.ErrWrongCode)

	var started *verify.Verification
	var code string
	steps := []struct {
		name string
		want int
		call func()
	}{
		{"Start that sends", 3, func() {
			started, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
			require.NoError(t, err)
			code = e.code(t, started.ID)
		}},
		{"Start within the cooldown", 1, func() {
			_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
			require.NoError(t, err)
		}},
		{"Start that resends", 3, func() {
			e.clock.Advance(time.Minute)
			_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
			require.NoError(t, err)
			code = e.code(t, started.ID)
		}},
		{"Check with a wrong code", 3, func() {
			_, err = v.Check(ctx, phoneUA, wrongCode(code))
			require.ErrorIs(t, err, verify.ErrWrongCode)
		}},
		{"Check with the right code", 3, func() {
			_, err = v.Check(ctx, phoneUA, code)
			require.NoError(t, err)
		}},
		{"Check re-submitting the right code", 1, func() {
			_, err = v.Check(ctx, phoneUA, code)
			require.NoError(t, err)
		}},
		{"Start after the verification", 3, func() {
			_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
			require.NoError(t, err)
		}},
	}
	for _, s := range steps {
		n := hook.count(s.call)
		t.Logf("%-36s %d round trips", s.name, n)
		assert.Equal(t, s.want, n, s.name)
		assert.LessOrEqual(t, n, 3, s.name)
	}
}

// Two replicas, each with its own wrapper.Client and its own redisstore on one Redis Cluster.
func TestReplicasOnARedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t)
	e := newEnv(t)
	prefix := uniquePrefix()
	clients := []*redis.ClusterClient{cluster.Client(t), cluster.Client(t)}
	replicas := []*verify.Verifier{
		e.verifier(t, redisstore.New(clients[0], redisstore.WithPrefix(prefix))),
		e.verifier(t, redisstore.New(clients[1], redisstore.WithPrefix(prefix))),
	}

	const starts = 50
	got := make([]*verify.Verification, starts)
	errs := make([]error, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Go(func() { got[i], errs[i] = replicas[i%2].Start(ctx, verify.StartRequest{Phone: phoneUA}) })
	}
	wg.Wait()
	sender := -1
	ids := map[string]int{}
	for i := range starts {
		require.NoError(t, errs[i])
		ids[got[i].ID]++
		if got[i].Sent {
			require.Equal(t, -1, sender, "one Start sent")
			sender = i % 2
		}
	}
	require.NotEqual(t, -1, sender)
	assert.Equal(t, map[string]int{got[0].ID: starts}, ids, "50 identical IDs")
	assert.Equal(t, 1, e.calls.get(opSend), "one SMS")
	t.Logf("%d concurrent Starts over 2 replicas: %d SendOTP, %d distinct IDs, sent by replica %d",
		starts, e.calls.get(opSend), len(ids), sender)

	other := replicas[1-sender]
	e.clock.Advance(30 * time.Second)
	resent, err := other.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	assert.True(t, resent.Sent)
	assert.Equal(t, got[0].ID, resent.ID)
	assert.Equal(t, 2, resent.Sends)
	assert.Equal(t, 1, e.calls.get(opResend))

	code := e.code(t, resent.ID)
	wrong := wrongCode(code)
	const checks = 20
	var wrongs sync.WaitGroup
	for i := range checks {
		wrongs.Go(func() {
			got, err := replicas[i%2].Check(ctx, phoneUA, wrong)
			assert.ErrorIs(t, err, verify.ErrWrongCode)
			assert.Equal(t, 2, got.AttemptsLeft)
		})
	}
	wrongs.Wait()
	assert.Equal(t, 1, e.calls.get(opVerify), "20 concurrent submits of one wrong code over both replicas: one VerifyOTP")

	checked, err := other.Check(ctx, phoneUA, code)
	require.NoError(t, err, "the replica that did not start the verification checks it")
	assert.Equal(t, wrapper.StatusVerified, checked.Status)
	again, err := replicas[sender].Check(ctx, phoneUA, code)
	require.NoError(t, err, "the re-submit on the other replica is verified too")
	assert.Equal(t, wrapper.StatusVerified, again.Status)
	assert.Equal(t, 2, e.calls.get(opVerify))

	// Both keys of the phone are in one slot.
	slots := map[int64]bool{}
	for _, k := range []string{prefix + "{" + phoneUA + "}", prefix + "{" + phoneUA + "}:lock"} {
		slot, err := clients[0].ClusterKeySlot(ctx, k).Result()
		require.NoError(t, err)
		slots[slot] = true
	}
	assert.Len(t, slots, 1)
}
