package verify_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// BenchmarkVerifyStartCheck runs one phone verification (send a code, check it) per
// iteration against the sandbox over loopback, three ways in one run, so that the ratios to
// impl=wrapper are the cost of this package:
//
//   - impl=wrapper: the bare wrapper calls, SendOTP and VerifyOTP;
//   - impl=memory: Verifier.Start and Check on the memory store;
//   - impl=redis: the same on redisstore and a redis-server on loopback (3 + 3 round trips).
//
// Each iteration verifies a number of its own, so no cooldown is ever hit. The guard is off
// (&verify.Guard{}): every number shares one prefix, which the default guard rightly stops
// after 20 codes an hour, and its cost is not what this measures.
func BenchmarkVerifyStartCheck(b *testing.B) {
	b.Run("impl=wrapper", func(b *testing.B) {
		e := newEnv(b)
		c := e.client(b)
		i := 0
		for b.Loop() {
			a, err := c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: ukrainian(i), Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 1})
			require.NoError(b, err)
			_, err = c.VerifyOTP(ctx, a.ID, e.code(b, a.ID))
			require.NoError(b, err)
			i++
		}
	})
	flow := func(b *testing.B, e *env, v *verify.Verifier) {
		i := 0
		for b.Loop() {
			phone := ukrainian(i)
			got, err := v.Start(ctx, verify.StartRequest{Phone: phone})
			require.NoError(b, err)
			_, err = v.Check(ctx, phone, e.code(b, got.ID))
			require.NoError(b, err)
			i++
		}
	}
	b.Run("impl=memory", func(b *testing.B) {
		e := newEnv(b)
		flow(b, e, e.verifier(b, verify.NewMemoryStore(), noGuard))
	})
	b.Run("impl=redis", func(b *testing.B) {
		e := newEnv(b)
		rdb := redistest.Start(b).Client(b)
		flow(b, e, e.verifier(b, redisstore.New(rdb, redisstore.WithPrefix(uniquePrefix())), noGuard))
	})
}

// noGuard turns the guard against SMS pumping off.
func noGuard(c *verify.Config) { c.Guard = &verify.Guard{} }
