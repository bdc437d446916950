package verify_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestCheckTheRightCodeAndItsResubmit(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, started := startUA(t, store())
		code := e.code(t, started.ID)

		got, err := v.Check(ctx, phoneUA, " "+code+"\n")
		require.NoError(t, err, "codes are trimmed")
		assert.Equal(t, wrapper.StatusVerified, got.Status)
		assert.Equal(t, started.ID, got.ID)
		assert.Equal(t, 1, e.calls.get(opVerify))

		e.clock.Advance(4 * time.Minute)
		again, err := v.Check(ctx, "+380 97 996 5073", code)
		require.NoError(t, err, "a double submit of the right code is verified again")
		assert.Equal(t, wrapper.StatusVerified, again.Status)
		assert.Equal(t, 1, e.calls.get(opVerify), "without asking the service")

		_, err = v.Check(ctx, phoneUA, wrongCode(code))
		require.ErrorIs(t, err, verify.ErrNoVerification, "any other code after the verification")

		e.clock.Advance(time.Minute)
		_, err = v.Check(ctx, phoneUA, code)
		require.ErrorIs(t, err, verify.ErrNoVerification, "the re-submit window is the code lifetime")
		assert.Equal(t, 1, e.calls.get(opVerify))
	})
}

func TestCheckCountsWrongCodesDownToTooManyAttempts(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, started := startUA(t, store())
		code := e.code(t, started.ID)
		wrong1, wrong2, wrong3 := wrongCode(code), wrongCode(wrongCode(code)), wrongCode(wrongCode(wrongCode(code)))

		got, err := v.Check(ctx, phoneUA, wrong1)
		require.ErrorIs(t, err, verify.ErrWrongCode)
		require.ErrorIs(t, err, wrapper.ErrWrongCode, "the wrapper's sentinel still matches")
		assert.Equal(t, 2, got.AttemptsLeft)
		assert.Equal(t, wrapper.StatusPending, got.Status)

		got, err = v.Check(ctx, phoneUA, wrong1)
		require.ErrorIs(t, err, verify.ErrWrongCode)
		assert.Equal(t, 2, got.AttemptsLeft, "the same wrong code again spends no attempt")
		assert.Equal(t, 1, e.calls.get(opVerify))

		for _, bad := range []string{"12345", "1234567", "12a456", ""} {
			got, err = v.Check(ctx, phoneUA, bad)
			require.ErrorIs(t, err, verify.ErrWrongCode, "%q", bad)
			assert.Equal(t, 2, got.AttemptsLeft, "%q cannot be a code: no attempt spent", bad)
		}
		assert.Equal(t, 1, e.calls.get(opVerify))

		got, err = v.Check(ctx, phoneUA, wrong2)
		require.ErrorIs(t, err, verify.ErrWrongCode)
		assert.Equal(t, 1, got.AttemptsLeft)

		got, err = v.Check(ctx, phoneUA, wrong3)
		require.ErrorIs(t, err, verify.ErrTooManyAttempts)
		require.ErrorIs(t, err, wrapper.ErrAttemptsExceeded)
		assert.Equal(t, wrapper.StatusFailed, got.Status)
		assert.Zero(t, got.AttemptsLeft)

		got, err = v.Check(ctx, phoneUA, code)
		require.ErrorIs(t, err, verify.ErrTooManyAttempts, "a failed verification stays failed")
		assert.Equal(t, wrapper.StatusFailed, got.Status)
		assert.Equal(t, 3, e.calls.get(opVerify))
	})
}

func TestCheckAttemptsSurviveAResend(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, started := startUA(t, store())
		got, err := v.Check(ctx, phoneUA, wrongCode(e.code(t, started.ID)))
		require.ErrorIs(t, err, verify.ErrWrongCode)
		require.Equal(t, 2, got.AttemptsLeft)

		e.clock.Advance(time.Minute)
		resent, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.Equal(t, 2, resent.AttemptsLeft, "the service keeps counting wrong codes across resends")
		got, err = v.Check(ctx, phoneUA, e.code(t, started.ID))
		require.NoError(t, err)
		assert.Equal(t, wrapper.StatusVerified, got.Status)
	})
}

func TestCheckExpired(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, started := startUA(t, store())
		e.clock.Set(started.ExpiresAt)
		got, err := v.Check(ctx, phoneUA, e.code(t, started.ID))
		require.ErrorIs(t, err, verify.ErrExpired)
		assert.Equal(t, wrapper.StatusExpired, got.Status)
		assert.Zero(t, e.calls.get(opVerify), "the Verifier knows the code's lifetime")
	})
}

// The service's clock runs ahead of the Verifier's: the service's answer decides.
func TestCheckExpiredAtTheService(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		service := testkit.NewClock()
		e := newEnv(t, sandbox.WithClock(service.Now))
		v := e.verifier(t, store())
		started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		service.Advance(6 * time.Minute)

		got, err := v.Check(ctx, phoneUA, e.code(t, started.ID))
		require.ErrorIs(t, err, verify.ErrExpired)
		require.ErrorIs(t, err, wrapper.ErrCodeExpired)
		assert.Equal(t, wrapper.StatusExpired, got.Status)
		_, err = v.Check(ctx, phoneUA, e.code(t, started.ID))
		require.ErrorIs(t, err, verify.ErrExpired)
		assert.Equal(t, 1, e.calls.get(opVerify))

		// A Start after the cooldown tries no resend of the expired session.
		e.clock.Advance(time.Minute)
		next, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.NotEqual(t, started.ID, next.ID)
		assert.Zero(t, e.calls.get(opResend))
	})
}

func TestCheckWithNothingPending(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t)
		v := e.verifier(t, store())
		got, err := v.Check(ctx, phoneUA, "123456")
		require.ErrorIs(t, err, verify.ErrNoVerification)
		assert.Nil(t, got)
		assert.Zero(t, e.calls.total())
	})
}

func TestConcurrentChecksCallTheServiceOncePerCode(t *testing.T) {
	for _, tc := range []struct {
		name      string
		right     bool
		wantErr   error
		wantState wrapper.Status
	}{
		{name: "right code", right: true, wantState: wrapper.StatusVerified},
		{name: "wrong code", wantErr: verify.ErrWrongCode, wantState: wrapper.StatusPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, store func() verify.Store) {
				e, v, started := startUA(t, store())
				code := e.code(t, started.ID)
				if !tc.right {
					code = wrongCode(code)
				}
				const submits = 30
				got := make([]*verify.Verification, submits)
				errs := make([]error, submits)
				var wg sync.WaitGroup
				for i := range submits {
					wg.Go(func() { got[i], errs[i] = v.Check(ctx, phoneUA, code) })
				}
				wg.Wait()
				for i := range submits {
					if tc.wantErr == nil {
						require.NoError(t, errs[i])
					} else {
						require.ErrorIs(t, errs[i], tc.wantErr)
					}
					assert.Equal(t, tc.wantState, got[i].Status)
					if !tc.right {
						assert.Equal(t, 2, got[i].AttemptsLeft)
					}
				}
				assert.Equal(t, 1, e.calls.get(opVerify))
			})
		})
	}
}
