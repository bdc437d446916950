package verify_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/verify"
)

// The log says what happened to which masked number, and never holds a code or a number.
func TestLogsMaskPhonesAndNeverHoldCodes(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		var out testkit.SyncBuffer
		e := newEnv(t)
		v := e.verifier(t, store(), func(c *verify.Config) {
			c.Logger = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		first := e.code(t, started.ID)
		_, err = v.Check(ctx, phoneUA, wrongCode(first))
		require.Error(t, err)
		e.clock.Advance(time.Minute)
		_, err = v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		second := e.code(t, started.ID)
		_, err = v.Check(ctx, phoneUA, second)
		require.NoError(t, err)

		log := out.String()
		for _, line := range []string{"verification code sent", "verification code resent", "phone verified", "380******073"} {
			assert.Contains(t, log, line)
		}
		assert.NotContains(t, log, phoneUA)
		for _, code := range []string{first, second, wrongCode(first)} {
			assert.NotContains(t, log, `"`+code+`"`)
		}
	})
}
