package wrapper_test

// End-to-end tests of verifying, resending and canceling a session, and of the ids the
// sandbox does not know (harness: e2e_harness_test.go).

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestE2EVerify(t *testing.T) {
	ctx := context.Background()
	right := func(e *e2eEnv, id string) string { return e.code(id) }
	wrong := func(e *e2eEnv, id string) string { return e2eWrong(e.code(id)) }
	wrongTimes := func(n int) func(*e2eEnv, string) {
		return func(e *e2eEnv, id string) {
			for range n {
				_, err := e.c.VerifyOTP(ctx, id, wrong(e, id))
				require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
			}
		}
	}
	tests := []struct {
		name      string
		opts      []sandbox.Option
		maxTries  int
		before    func(e *e2eEnv, id string)
		code      func(e *e2eEnv, id string) string
		want      error // nil: verified
		status    int
		state     wrapper.Status
		price     string
		finishes  bool
		finishAt  time.Duration // from e2eStart, when finishes
		lifetime  time.Duration
		afterWant error // a further right code, once finished
	}{
		{name: "right code", code: right, state: wrapper.StatusVerified, price: "0.02", finishes: true,
			afterWant: wrapper.ErrAuthenticationInvalidStatus},
		{name: "right code at a custom price", opts: []sandbox.Option{sandbox.WithPrice("1,5")}, code: right,
			state: wrapper.StatusVerified, price: "1.5", finishes: true},
		{name: "right code after wrong ones", before: wrongTimes(2), code: right,
			state: wrapper.StatusVerified, price: "0.02", finishes: true},
		{name: "first wrong code", code: wrong, want: wrapper.ErrWrongCode, status: http.StatusNotFound,
			state: wrapper.StatusPending, price: "0"},
		{name: "second wrong code of three", before: wrongTimes(1), code: wrong, want: wrapper.ErrWrongCode,
			status: http.StatusNotFound, state: wrapper.StatusPending, price: "0"},
		{name: "third wrong code of three fails the session", before: wrongTimes(2), code: wrong,
			want: wrapper.ErrAttemptsExceeded, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true, afterWant: wrapper.ErrAuthenticationFailed},
		{name: "the only try wrong", maxTries: 1, code: wrong, want: wrapper.ErrAttemptsExceeded,
			status: http.StatusUnprocessableEntity, state: wrapper.StatusFailed, price: "0", finishes: true},
		{name: "fifth wrong code of five", maxTries: 5, before: wrongTimes(4), code: wrong,
			want: wrapper.ErrAttemptsExceeded, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true},
		{name: "right code after the lifetime", lifetime: 30 * time.Second,
			before: func(e *e2eEnv, _ string) { e.clock.Advance(31 * time.Second) },
			code:   right, want: wrapper.ErrCodeExpired, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusExpired, price: "0", finishes: true, finishAt: 30 * time.Second,
			afterWant: wrapper.ErrCodeExpired},
		{name: "right code at the last second of the lifetime", lifetime: 30 * time.Second,
			before: func(e *e2eEnv, _ string) { e.clock.Advance(29 * time.Second) },
			code:   right, state: wrapper.StatusVerified, price: "0.02", finishes: true, finishAt: 29 * time.Second},
		{name: "on a verified session", before: (*e2eEnv).verify, code: right,
			want: wrapper.ErrAuthenticationInvalidStatus, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusVerified, price: "0.02", finishes: true},
		{name: "on a canceled session", before: (*e2eEnv).cancel, code: right,
			want: wrapper.ErrAuthenticationCanceled, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusCanceled, price: "0", finishes: true},
		{name: "on a failed session", before: (*e2eEnv).fail, code: right,
			want: wrapper.ErrAuthenticationFailed, status: http.StatusUnprocessableEntity,
			state: wrapper.StatusFailed, price: "0", finishes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			req := e2eSMS(e2eUA)
			req.CodeMaxTries, req.CodeLifetime = tt.maxTries, tt.lifetime
			a := e.send(req)
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			got, err := e.c.VerifyOTP(ctx, a.ID, tt.code(e, a.ID))
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.state, got.Status)
				assert.Equal(t, tt.price, got.Price.String())
				e2eSameTime(t, e2eStart.Add(tt.finishAt), got.FinishedAt, "FinishedAt")
			} else {
				e2eRequireErr(t, err, tt.want, tt.status)
				assert.Nil(t, got)
			}

			now := e.get(a.ID)
			assert.Equal(t, tt.state, now.Status)
			assert.Equal(t, tt.finishes, now.Status.Final())
			assert.Equal(t, tt.price, now.Price.String())
			if tt.finishes {
				e2eSameTime(t, e2eStart.Add(tt.finishAt), now.FinishedAt, "FinishedAt")
				e2eSameTime(t, now.FinishedAt, now.UpdatedAt, "UpdatedAt")
			} else {
				assert.True(t, now.FinishedAt.IsZero(), "FinishedAt is zero while pending")
			}
			if tt.afterWant != nil {
				_, err := e.c.VerifyOTP(ctx, a.ID, e.code(a.ID))
				e2eRequireErr(t, err, tt.afterWant, http.StatusUnprocessableEntity)
			}
		})
	}
}

func TestE2EResend(t *testing.T) {
	ctx := context.Background()
	t.Run("pending: a new code, a new message, a new lifetime", func(t *testing.T) {
		e := newE2E(t)
		req := e2eSMS(e2eUA)
		req.CodeLifetime = 60 * time.Second
		a := e.send(req)
		old := e.code(a.ID)

		e.clock.Advance(40 * time.Second)
		r, err := e.c.ResendOTP(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a.ID, r.ID)
		assert.Equal(t, wrapper.StatusPending, r.Status)
		assert.Equal(t, "0", r.Price.String())
		assert.True(t, r.FinishedAt.IsZero())
		e2eSameTime(t, e2eStart.Add(100*time.Second), r.ExpiredAt, "ExpiredAt")
		fresh := e.code(a.ID)
		require.NotEqual(t, old, fresh)
		assert.Len(t, fresh, 6)

		// Past the first code's lifetime, within the second's.
		e.clock.Advance(40 * time.Second)
		_, err = e.c.VerifyOTP(ctx, a.ID, old)
		e2eRequireErr(t, err, wrapper.ErrWrongCode, http.StatusNotFound)
		v, err := e.c.VerifyOTP(ctx, a.ID, fresh)
		require.NoError(t, err)
		assert.Equal(t, wrapper.StatusVerified, v.Status)
		assert.Equal(t, "0.02", v.Price.String())

		got := e.get(a.ID)
		require.Len(t, got.Messages, 2)
		assert.NotEqual(t, got.Messages[0].ID, got.Messages[1].ID)
		e2eSameTime(t, e2eStart, got.Messages[0].CreatedAt, "first message")
		e2eSameTime(t, e2eStart.Add(40*time.Second), got.Messages[1].CreatedAt, "second message")
		for _, m := range got.Messages {
			assert.Equal(t, e2eMsgPrice, m.Price.String())
		}
	})
	t.Run("wrong attempts still count after a resend", func(t *testing.T) {
		e := newE2E(t)
		req := e2eSMS(e2eUA)
		req.CodeMaxTries = 2
		a := e.send(req)
		_, err := e.c.VerifyOTP(ctx, a.ID, e2eWrong(e.code(a.ID)))
		e2eRequireErr(t, err, wrapper.ErrWrongCode, http.StatusNotFound)
		_, err = e.c.ResendOTP(ctx, a.ID)
		require.NoError(t, err)
		_, err = e.c.VerifyOTP(ctx, a.ID, e2eWrong(e.code(a.ID)))
		e2eRequireErr(t, err, wrapper.ErrAttemptsExceeded, http.StatusUnprocessableEntity)
		assert.Equal(t, wrapper.StatusFailed, e.get(a.ID).Status)
	})

	tests := []struct {
		name   string
		opts   []sandbox.Option
		before func(e *e2eEnv, id string)
		want   error
		status int
	}{
		{"canceled", nil, (*e2eEnv).cancel, wrapper.ErrAuthenticationCanceled, http.StatusUnprocessableEntity},
		{"failed", nil, (*e2eEnv).fail, wrapper.ErrAuthenticationFailed, http.StatusUnprocessableEntity},
		{"expired", nil, (*e2eEnv).expire, wrapper.ErrAuthenticationExpired, http.StatusUnprocessableEntity},
		{"verified", nil, (*e2eEnv).verify, wrapper.ErrAuthenticationInvalidStatus, http.StatusUnprocessableEntity},
		{"balance exhausted", []sandbox.Option{sandbox.WithBalance("0.1")}, nil, wrapper.ErrInsufficientFunds, http.StatusPaymentRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			a := e.send(e2eSMS(e2eUA))
			code := e.code(a.ID)
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			r, err := e.c.ResendOTP(ctx, a.ID)
			e2eRequireErr(t, err, tt.want, tt.status)
			assert.Nil(t, r)
			assert.Equal(t, code, e.code(a.ID), "a refused resend sends no code")
			assert.Len(t, e.get(a.ID).Messages, 1)
		})
	}
}

func TestE2ECancel(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		before func(e *e2eEnv, id string)
		want   error
		state  wrapper.Status
		price  string
	}{
		{"pending", nil, nil, wrapper.StatusCanceled, "0"},
		{"pending after a wrong code", func(e *e2eEnv, id string) {
			_, err := e.c.VerifyOTP(ctx, id, e2eWrong(e.code(id)))
			require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
		}, nil, wrapper.StatusCanceled, "0"},
		{"canceled", (*e2eEnv).cancel, wrapper.ErrAuthenticationCanceled, wrapper.StatusCanceled, "0"},
		{"verified", (*e2eEnv).verify, wrapper.ErrAuthenticationInvalidStatus, wrapper.StatusVerified, "0.02"},
		{"failed", (*e2eEnv).fail, wrapper.ErrAuthenticationFailed, wrapper.StatusFailed, "0"},
		{"expired", (*e2eEnv).expire, wrapper.ErrAuthenticationExpired, wrapper.StatusExpired, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			a := e.send(e2eSMS(e2eUA))
			if tt.before != nil {
				tt.before(e, a.ID)
			}
			e.clock.Advance(time.Second)
			got, err := e.c.CancelOTP(ctx, a.ID)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, wrapper.StatusCanceled, got.Status)
				assert.Equal(t, "0", got.Price.String())
				e2eSameTime(t, e2eStart.Add(time.Second), got.FinishedAt, "FinishedAt")
			} else {
				e2eRequireErr(t, err, tt.want, http.StatusUnprocessableEntity)
				assert.Nil(t, got)
			}
			now := e.get(a.ID)
			assert.Equal(t, tt.state, now.Status)
			assert.Equal(t, tt.price, now.Price.String())
			assert.False(t, now.FinishedAt.IsZero())
		})
	}
}

func TestE2EUnknownAuthentication(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)
	e.send(e2eSMS(e2eUA)) // the sandbox holds a session, just not this one
	tests := []struct {
		name string
		call func(id string) (*wrapper.Authentication, error)
	}{
		{"status", func(id string) (*wrapper.Authentication, error) { return e.c.GetAuthentication(ctx, id) }},
		{"resend", func(id string) (*wrapper.Authentication, error) { return e.c.ResendOTP(ctx, id) }},
		{"verify", func(id string) (*wrapper.Authentication, error) { return e.c.VerifyOTP(ctx, id, "123456") }},
		{"cancel", func(id string) (*wrapper.Authentication, error) { return e.c.CancelOTP(ctx, id) }},
	}
	for _, tt := range tests {
		for _, id := range []string{e2eUnknownID, "not-a-uuid", "a b/c?d"} {
			t.Run(tt.name+" "+id, func(t *testing.T) {
				a, err := tt.call(id)
				e2eRequireErr(t, err, wrapper.ErrAuthenticationNotFound, http.StatusNotFound)
				assert.NotErrorIs(t, err, wrapper.ErrWrongCode)
				assert.Nil(t, a)
			})
		}
	}
}
