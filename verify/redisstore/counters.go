package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-bsg/bsg2fa/verify"
)

// The guard's counters on Redis.
//
// Each counter is a sorted set of sends scored by their time in microseconds (…:s), and for
// conversion counters a second sorted set of the verified sends scored by the time of the send
// (…:v). Both keys of a counter carry the counter's name as hash tag, so they sit in one slot and
// one script sees both; different counters (a phone, an IP, a prefix, a country) sit in different
// slots on purpose, so a Cluster spreads them. A decision runs one small script per counter, all in
// one pipeline: one round trip on a single node, and on a Cluster one request per node involved,
// sent in parallel by go-redis. Each script is atomic for its counter, which is all a sliding
// window needs; a rule over several counters does not need them frozen together, because a send is
// counted in every counter before it is judged and taken back if it is blocked.
//
// Every key's TTL is its counter's longest window, renewed at each write: nothing outlives the
// window it can still matter to.

// countSendScript trims a counter to its longest window, reads every window, then records the send.
// KEYS: sends [, verified]. ARGV: now, trim bound (inclusive), member, TTL in ms, then for each
// window its exclusive lower bound "(t" and its Count. It answers, per window: the sends in it, the
// verified sends in it, and the score of the send that keeps the window at its Count ("" if none).
// Scores travel as strings both ways: Lua 5.1 would print large numbers with only 14 digits.
var countSendScript = redis.NewScript(`
local sends, verified = KEYS[1], KEYS[2]
redis.call('ZREMRANGEBYSCORE', sends, '-inf', ARGV[2])
if verified then redis.call('ZREMRANGEBYSCORE', verified, '-inf', ARGV[2]) end
local out = {}
for i = 5, #ARGV, 2 do
  local lo, count = ARGV[i], tonumber(ARGV[i + 1])
  local sent = redis.call('ZCOUNT', sends, lo, '+inf')
  local ver = 0
  if verified then ver = redis.call('ZCOUNT', verified, lo, '+inf') end
  local free = ''
  if sent >= count then
    free = redis.call('ZRANGEBYSCORE', sends, lo, '+inf', 'WITHSCORES', 'LIMIT', sent - count, 1)[2]
  end
  out[#out + 1] = sent
  out[#out + 1] = ver
  out[#out + 1] = free
end
redis.call('ZADD', sends, ARGV[1], ARGV[3])
redis.call('PEXPIRE', sends, ARGV[4])
return out
`)

// counters is verify.CounterStore on Redis.
type counters struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ verify.CounterStore = (*counters)(nil)

func newCounters(rdb redis.UniversalClient, prefix string) *counters {
	return &counters{rdb: rdb, prefix: prefix}
}

// keys are the sorted sets of counter key: its sends and its verified sends.
func (c *counters) keys(key string) (sends, verified string) {
	base := c.prefix + "guard:{" + key + "}"
	return base + ":s", base + ":v"
}

// CountSend implements verify.CounterStore in one pipeline.
func (c *counters) CountSend(ctx context.Context, req verify.CountRequest) ([]verify.CounterReading, error) {
	type call struct {
		keys []string
		args []any
	}
	calls := make([]call, len(req.Counters))
	for i, q := range req.Counters {
		sends, verified := c.keys(q.Key)
		keys := []string{sends}
		if q.Verified {
			keys = append(keys, verified)
		}
		args := make([]any, 0, 4+2*len(q.Windows))
		args = append(args, score(req.Now), score(req.Now.Add(-q.TTL())), req.ID, ttlMillis(q.TTL()))
		for _, w := range q.Windows {
			args = append(args, "("+score(req.Now.Add(-w.Per)), w.Count)
		}
		calls[i] = call{keys: keys, args: args}
	}
	cmds := make([]*redis.Cmd, len(calls))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, cl := range calls {
			cmds[i] = countSendScript.EvalSha(ctx, p, cl.keys, cl.args...)
		}
		return nil
	})
	if err != nil {
		// A node that lost its script cache (a restart, SCRIPT FLUSH) ran nothing of those
		// counters: send the script itself for them only, never twice for the others.
		var retry []int
		for i, cmd := range cmds {
			if err := cmd.Err(); redis.HasErrorPrefix(err, "NOSCRIPT") {
				retry = append(retry, i)
			} else if err != nil {
				return nil, err
			}
		}
		if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, i := range retry {
				cmds[i] = countSendScript.Eval(ctx, p, calls[i].keys, calls[i].args...)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out := make([]verify.CounterReading, len(req.Counters))
	for i, q := range req.Counters {
		r, err := parseReading(cmds[i], q, req.Now.Location())
		if err != nil {
			return nil, fmt.Errorf("redisstore: counter %s: %w", q.Key, err)
		}
		out[i] = r
	}
	return out, nil
}

// parseReading reads the answer of countSendScript for q, with times in loc like the request's.
func parseReading(cmd *redis.Cmd, q verify.CounterQuery, loc *time.Location) (verify.CounterReading, error) {
	vals, err := cmd.Slice()
	if err != nil {
		return nil, err
	}
	if len(vals) != 3*len(q.Windows) {
		return nil, fmt.Errorf("%d values for %d windows", len(vals), len(q.Windows))
	}
	r := make(verify.CounterReading, len(q.Windows))
	for j, w := range q.Windows {
		sent, ok1 := vals[3*j].(int64)
		ver, ok2 := vals[3*j+1].(int64)
		free, ok3 := vals[3*j+2].(string)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("unexpected reply %v", vals[3*j:3*j+3])
		}
		r[j] = verify.WindowReading{Sent: int(sent), Verified: int(ver)}
		if free != "" {
			f, err := strconv.ParseFloat(free, 64)
			if err != nil {
				return nil, fmt.Errorf("score %q: %w", free, err)
			}
			r[j].FreeAt = time.UnixMicro(int64(f)).In(loc).Add(w.Per)
		}
	}
	return r, nil
}

// UncountSend implements verify.CounterStore in one pipeline.
func (c *counters) UncountSend(ctx context.Context, req verify.CountRequest) error {
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, q := range req.Counters {
			sends, _ := c.keys(q.Key)
			p.ZRem(ctx, sends, req.ID)
		}
		return nil
	})
	return err
}

// CountVerified implements verify.CounterStore in one pipeline.
func (c *counters) CountVerified(ctx context.Context, req verify.CountRequest, sentAt time.Time) error {
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, q := range req.Counters {
			ttl := q.TTL()
			if !q.Verified || !sentAt.After(req.Now.Add(-ttl)) {
				continue // a send older than every window counts nowhere
			}
			_, verified := c.keys(q.Key)
			p.ZAdd(ctx, verified, redis.Z{Score: float64(sentAt.UnixMicro()), Member: req.ID})
			p.PExpire(ctx, verified, time.Duration(ttlMillis(ttl))*time.Millisecond)
		}
		return nil
	})
	return err
}

// score is t as a sorted-set score: microseconds since the Unix epoch, exact in a float64 until
// the year 2255.
func score(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// ttlMillis is d in whole milliseconds, rounded down so a key never outlives its window (windows
// are at least a millisecond long).
func ttlMillis(d time.Duration) int64 { return int64(d / time.Millisecond) }
