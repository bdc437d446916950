// Package redisstore is a verify.Store on Redis, for applications that run several replicas:
// every replica's Verifier uses the same Redis, and a phone's verification behaves as if one
// process served it. It works with a single node, Sentinel and Cluster (any
// redis.UniversalClient).
//
// Each phone has two keys, both in the phone's hash slot ("{digits}"), so that every atomic
// step is one script on one node: the record, a hash kept for as long as its verification
// matters plus half a minute, and the lock, held only during a call to the service and never
// longer than its 30-second lease. Nothing outlives its verification by more than a minute.
//
// A Start or Check takes at most three round trips: one read, and, when the service must be
// called, one script to take the phone's lock and one to write the outcome and release it.
// Scripts run with EVALSHA; a node that does not know a script yet (after a restart) costs one
// more round trip to load it.
package redisstore

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-bsg/bsg2fa/verify"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "bsg2fa:"

// Option configures the store.
type Option func(*store)

// WithPrefix starts every key with prefix instead of DefaultPrefix, so that several
// applications can share one Redis. Braces are removed from it: they would move every phone
// into one hash slot.
func WithPrefix(prefix string) Option {
	return func(s *store) {
		s.prefix = strings.NewReplacer("{", "", "}", "").Replace(prefix)
	}
}

// store is the verify.Store on Redis.
type store struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a verify.Store that keeps its records in rdb: a *redis.Client, a
// *redis.ClusterClient, a Sentinel-backed failover client or a redis.NewUniversalClient.
func New(rdb redis.UniversalClient, opts ...Option) verify.Store {
	s := &store{rdb: rdb, prefix: DefaultPrefix}
	for _, o := range opts {
		o(s)
	}
	return s
}

// keys returns the phone's record and lock keys, in the phone's hash slot.
func (s *store) keys(phone string) []string {
	rec := s.prefix + "{" + phone + "}"
	return []string{rec, rec + ":lock"}
}

// Load implements verify.SessionStore in one round trip: a pipeline of two reads on one node.
func (s *store) Load(ctx context.Context, phone string) (verify.Entry, error) {
	k := s.keys(phone)
	var fields *redis.SliceCmd
	var locked *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		fields = p.HMGet(ctx, k[0], "v", "d")
		locked = p.Exists(ctx, k[1])
		return nil
	})
	if err != nil {
		return verify.Entry{}, err
	}
	e := entry(fields.Val())
	e.Locked = locked.Val() == 1
	return e, nil
}

// entry reads the record's fields v and d as HMGET returns them (nil when absent).
func entry(vals []any) verify.Entry {
	var e verify.Entry
	if len(vals) == 2 {
		e.Version, _ = vals[0].(string)
		if d, ok := vals[1].(string); ok && e.Version != "" {
			e.Data = []byte(d)
		}
	}
	return e
}

// acquire takes the lock if it is free and the record is at the expected version; it answers
// {taken, version, data, locked}.
var acquire = redis.NewScript(`
local cur = redis.call('HMGET', KEYS[1], 'v', 'd')
local ver, data = cur[1] or '', cur[2] or ''
local locked = redis.call('EXISTS', KEYS[2])
if locked == 1 or ver ~= ARGV[1] then
	return {0, ver, data, locked}
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return {1, ver, data, 0}
`)

// Acquire implements verify.SessionStore.
func (s *store) Acquire(ctx context.Context, phone, version, token string, lease time.Duration) (verify.Entry, bool, error) {
	res, err := acquire.Run(ctx, s.rdb, s.keys(phone), version, token, lease.Milliseconds()).Slice()
	if err != nil {
		return verify.Entry{}, false, err
	}
	if len(res) != 4 {
		return verify.Entry{}, false, errUnexpected
	}
	taken, _ := res[0].(int64)
	e := entry(res[1:3])
	locked, _ := res[3].(int64)
	e.Locked = locked == 1
	return e, taken == 1, nil
}

// commit writes the record and releases the lock if the token holds it; it answers 1, or 0
// when the lock is not the token's.
var commit = redis.NewScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
	return 0
end
redis.call('DEL', KEYS[2])
local ttl = tonumber(ARGV[3])
if ttl <= 0 then
	redis.call('DEL', KEYS[1])
	return 1
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

// Commit implements verify.SessionStore.
func (s *store) Commit(ctx context.Context, phone, token string, data []byte, ttl time.Duration) error {
	ms := ttl.Milliseconds()
	if ttl > 0 && ms == 0 {
		ms = 1
	}
	ok, err := commit.Run(ctx, s.rdb, s.keys(phone), token, data, ms).Int()
	if err != nil {
		return err
	}
	if ok != 1 {
		return verify.ErrLeaseLost
	}
	return nil
}

// release deletes the lock if the token holds it.
var release = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
	return redis.call('DEL', KEYS[2])
end
return 0
`)

// Release implements verify.SessionStore.
func (s *store) Release(ctx context.Context, phone, token string) error {
	return release.Run(ctx, s.rdb, s.keys(phone), token).Err()
}
