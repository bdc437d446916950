package verify_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/wrapper"
)

var ctx = context.Background()

func TestStartSendsOnceWithinTheCooldown(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t)
		v := e.verifier(t, store())
		start := e.clock.Now()

		first, err := v.Start(ctx, verify.StartRequest{Phone: "+380 97 996 5073"})
		require.NoError(t, err)
		assert.Equal(t, &verify.Verification{
			ID: first.ID, Phone: phoneUA, Country: "UA", Status: wrapper.StatusPending, Sent: true, Sends: 1,
			AttemptsLeft: 3, ExpiresAt: start.Add(5 * time.Minute), ResendAt: start.Add(30 * time.Second),
		}, first)
		require.NotEmpty(t, first.ID)

		e.clock.Advance(29 * time.Second)
		again, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		want := *first
		want.Sent = false
		assert.Equal(t, &want, again, "a Start within the cooldown answers the pending verification")
		assert.Equal(t, 1, e.calls.get(opSend))
		assert.Zero(t, e.calls.get(opResend))
	})
}

func TestStartResendsAfterTheCooldown(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, first := startUA(t, store())
		oldCode := e.code(t, first.ID)

		e.clock.Advance(30 * time.Second)
		now := e.clock.Now()
		second, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.Equal(t, first.ID, second.ID, "a resend keeps the verification")
		assert.True(t, second.Sent)
		assert.Equal(t, 2, second.Sends)
		assert.Equal(t, now.Add(5*time.Minute), second.ExpiresAt)
		assert.Equal(t, now.Add(30*time.Second), second.ResendAt)
		assert.Equal(t, 1, e.calls.get(opSend))
		assert.Equal(t, 1, e.calls.get(opResend))

		newCode := e.code(t, first.ID)
		if newCode != oldCode {
			_, err = v.Check(ctx, phoneUA, oldCode)
			require.ErrorIs(t, err, verify.ErrWrongCode, "the old code stops working")
		}
		got, err := v.Check(ctx, phoneUA, newCode)
		require.NoError(t, err)
		assert.Equal(t, wrapper.StatusVerified, got.Status)
	})
}

func TestStartStopsAtMaxSendsUntilTheCodeExpires(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, first := startUA(t, store(), func(c *verify.Config) { c.MaxSends = 2 })
		e.clock.Advance(time.Minute)
		second, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		require.Equal(t, 2, second.Sends)

		e.clock.Advance(10 * time.Second)
		inCooldown, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err, "within the cooldown the pending verification stands, even at MaxSends")
		assert.False(t, inCooldown.Sent)

		e.clock.Advance(time.Minute)
		refused, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.ErrorIs(t, err, verify.ErrTooManySends)
		require.NotNil(t, refused)
		assert.Equal(t, first.ID, refused.ID)
		assert.False(t, refused.Sent)
		assert.Equal(t, second.ExpiresAt, refused.ExpiresAt)
		assert.Equal(t, second.ExpiresAt, refused.ResendAt, "a new verification can start when the code expires")
		assert.Equal(t, 1, e.calls.get(opSend))
		assert.Equal(t, 1, e.calls.get(opResend))

		e.clock.Set(refused.ExpiresAt)
		fresh, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, fresh.ID)
		assert.Equal(t, 1, fresh.Sends)
		assert.Equal(t, 2, e.calls.get(opSend))
	})
}

func TestStartAfterAFinishedVerificationSendsAnew(t *testing.T) {
	finish := []struct {
		name   string
		finish func(t *testing.T, e *env, v *verify.Verifier, id string)
	}{
		{"verified", func(t *testing.T, e *env, v *verify.Verifier, id string) {
			_, err := v.Check(ctx, phoneUA, e.code(t, id))
			require.NoError(t, err)
		}},
		{"failed", func(t *testing.T, e *env, v *verify.Verifier, id string) {
			code := e.code(t, id)
			for i := range 3 {
				bad := []byte(wrongCode(code))
				bad[1] = byte('0' + i)
				if string(bad) == code {
					bad[1] = byte('0' + (i+5)%10)
				}
				_, err := v.Check(ctx, phoneUA, string(bad))
				require.Error(t, err)
			}
		}},
		{"canceled", func(t *testing.T, e *env, v *verify.Verifier, id string) {
			require.NoError(t, v.Cancel(ctx, phoneUA))
		}},
		{"expired", func(t *testing.T, e *env, v *verify.Verifier, id string) {
			e.clock.Advance(5 * time.Minute)
		}},
	}
	for _, tc := range finish {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, store func() verify.Store) {
				e, v, first := startUA(t, store())
				tc.finish(t, e, v, first.ID)

				next, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
				require.NoError(t, err)
				assert.NotEqual(t, first.ID, next.ID)
				assert.True(t, next.Sent)
				assert.Equal(t, 1, next.Sends)
				assert.Equal(t, 3, next.AttemptsLeft)
				assert.Equal(t, 2, e.calls.get(opSend))
				assert.Zero(t, e.calls.get(opResend))
			})
		})
	}
}

func TestStartSendsAnewWhenTheServiceEndedTheSession(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e, v, first := startUA(t, store())
		// Ended behind the Verifier's back: the resend is refused, a new session starts.
		_, err := e.client(t).CancelOTP(ctx, first.ID)
		require.NoError(t, err)

		e.clock.Advance(time.Minute)
		next, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, next.ID)
		assert.Equal(t, 1, next.Sends)
		assert.Equal(t, 1, e.calls.get(opResend))
		assert.Equal(t, 2, e.calls.get(opSend))
	})
}

func TestStartUnderDoubleClicksSendsOneCode(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		e := newEnv(t)
		v := e.verifier(t, store())
		const clicks = 50
		got := make([]*verify.Verification, clicks)
		errs := make([]error, clicks)
		var wg sync.WaitGroup
		for i := range clicks {
			wg.Go(func() { got[i], errs[i] = v.Start(ctx, verify.StartRequest{Phone: phoneUA}) })
		}
		wg.Wait()
		sent := 0
		for i := range clicks {
			require.NoError(t, errs[i])
			assert.Equal(t, got[0].ID, got[i].ID)
			if got[i].Sent {
				sent++
			}
		}
		assert.Equal(t, 1, sent)
		assert.Equal(t, 1, e.calls.get(opSend))
	})
}

func TestStartRefusesInvalidPhonesBeforeAnything(t *testing.T) {
	for _, tc := range []struct {
		name, phone, region string
	}{
		{name: "empty"},
		{name: "letters", phone: "call me"},
		{name: "unknown country code", phone: "+999 123 456"},
		{name: "too short", phone: "+380 97"},
		{name: "national without region", phone: "0979965073"},
		{name: "national of another region", phone: "0979965073", region: "DE"},
		{name: "too long", phone: "+380 97 996 5073 1234567"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			v := e.verifier(t, verify.NewMemoryStore(), func(c *verify.Config) { c.DefaultRegion = tc.region })
			got, err := v.Start(ctx, verify.StartRequest{Phone: tc.phone})
			require.ErrorIs(t, err, verify.ErrInvalidPhone)
			assert.Nil(t, got)
			_, err = v.Check(ctx, tc.phone, "123456")
			require.ErrorIs(t, err, verify.ErrInvalidPhone)
			require.ErrorIs(t, v.Cancel(ctx, tc.phone), verify.ErrInvalidPhone)
			assert.Zero(t, e.calls.total(), "nothing reached the service")
		})
	}
}

func TestStartNormalisesEveryWrittenForm(t *testing.T) {
	e := newEnv(t)
	v := e.verifier(t, verify.NewMemoryStore(), func(c *verify.Config) { c.DefaultRegion = "ua" })
	var id string
	for _, written := range []string{"+380 97 996 5073", "380979965073", "00380979965073", "(097) 996-50-73", " +38 (097) 996-50-73 "} {
		got, err := v.Start(ctx, verify.StartRequest{Phone: written})
		require.NoError(t, err, written)
		assert.Equal(t, phoneUA, got.Phone, written)
		assert.Equal(t, "UA", got.Country, written)
		if id == "" {
			id = got.ID
		}
		assert.Equal(t, id, got.ID, "%q is the same phone", written)
	}
	de, err := v.Start(ctx, verify.StartRequest{Phone: "+49 151 1234 5678"})
	require.NoError(t, err)
	assert.Equal(t, phoneDE, de.Phone)
	assert.Equal(t, "DE", de.Country)
	assert.Equal(t, 2, e.calls.get(opSend))
}

func TestServiceErrorsPassThroughAndSpendNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []sandbox.Option
		edit func(*verify.Config)
		want error
	}{
		{name: "insufficient funds", opts: []sandbox.Option{sandbox.WithBalance("0")}, want: wrapper.ErrInsufficientFunds},
		{name: "template not found", edit: func(c *verify.Config) { c.TemplateID = 424242 }, want: wrapper.ErrTemplateNotFound},
		{name: "stop list", opts: []sandbox.Option{sandbox.WithStopList(phoneUA)}, want: wrapper.ErrStopList},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, store func() verify.Store) {
				e := newEnv(t, tc.opts...)
				edit := func(*verify.Config) {}
				if tc.edit != nil {
					edit = tc.edit
				}
				v := e.verifier(t, store(), edit)
				for range 2 {
					got, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
					require.ErrorIs(t, err, tc.want)
					assert.Nil(t, got)
					var apiErr *wrapper.APIError
					assert.True(t, errors.As(err, &apiErr))
				}
				// Nothing was recorded and the lock was released: each Start asked again.
				assert.Equal(t, 2, e.calls.get(opSend))
				_, err := v.Check(ctx, phoneUA, "123456")
				require.ErrorIs(t, err, verify.ErrNoVerification)
			})
		})
	}
}

func TestNewRefusesAnInvalidConfig(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	for _, tc := range []struct {
		name string
		edit func(*verify.Config)
	}{
		{"no sender", func(c *verify.Config) { c.Sender = " " }},
		{"no template", func(c *verify.Config) { c.TemplateID = 0 }},
		{"unknown channel", func(c *verify.Config) { c.Channel = "fax" }},
		{"sender alt without viber", func(c *verify.Config) { c.SenderAlt = "ALT" }},
		{"lifetime too short", func(c *verify.Config) { c.CodeLifetime = 10 * time.Second }},
		{"lifetime too long", func(c *verify.Config) { c.CodeLifetime = 10 * time.Minute }},
		{"lifetime not whole seconds", func(c *verify.Config) { c.CodeLifetime = 90500 * time.Millisecond }},
		{"too few digits", func(c *verify.Config) { c.CodeDigits = 2 }},
		{"too many digits", func(c *verify.Config) { c.CodeDigits = 10 }},
		{"too many tries", func(c *verify.Config) { c.CodeMaxTries = 6 }},
		{"negative tries", func(c *verify.Config) { c.CodeMaxTries = -1 }},
		{"negative sends", func(c *verify.Config) { c.MaxSends = -1 }},
		{"unknown region", func(c *verify.Config) { c.DefaultRegion = "QQ" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := e.config(nil)
			tc.edit(&cfg)
			v, err := verify.New(c, cfg)
			require.ErrorIs(t, err, verify.ErrInvalidConfig)
			assert.Nil(t, v)
		})
	}
	_, err := verify.New(nil, e.config(nil))
	require.ErrorIs(t, err, verify.ErrInvalidConfig)
	v, err := verify.New(c, verify.Config{Sender: "BSG", TemplateID: 1, Channel: wrapper.ChannelViber, SenderAlt: "ALT"})
	require.NoError(t, err)
	require.NotNil(t, v)
}
