package verify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestCancel(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t)
		v := e.verifier(t, store())
		require.ErrorIs(t, v.Cancel(ctx, phoneUA), verify.ErrNoVerification)

		started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		require.NoError(t, v.Cancel(ctx, phoneUA))
		a, err := e.client(t).GetAuthentication(ctx, started.ID)
		require.NoError(t, err)
		assert.Equal(t, wrapper.StatusCanceled, a.Status)

		_, err = v.Check(ctx, phoneUA, e.code(t, started.ID))
		require.ErrorIs(t, err, verify.ErrNoVerification)
		require.ErrorIs(t, v.Cancel(ctx, phoneUA), verify.ErrNoVerification)
		assert.Equal(t, 1, e.calls.get(opCancel))

		next, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err, "within the cooldown, but the canceled verification is over")
		assert.NotEqual(t, started.ID, next.ID)
	})
}

func TestCancelASessionTheServiceEnded(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, started := startUA(t, store())
		_, err := e.client(t).CancelOTP(ctx, started.ID)
		require.NoError(t, err)
		err = v.Cancel(ctx, phoneUA)
		require.ErrorIs(t, err, verify.ErrNoVerification)
		require.ErrorIs(t, err, wrapper.ErrAuthenticationCanceled)

		e.clock.Advance(time.Second)
		next, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.NotEqual(t, started.ID, next.ID)
	})
}
