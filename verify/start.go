package verify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// afterCallBudget bounds the store writes and clean-ups that follow a service call. They run
// even when the caller's context has ended: the service has acted, and the store must know.
const afterCallBudget = 5 * time.Second

// startAction is what a Start does for the phone's current record.
type startAction int

const (
	startNothing startAction = iota // a code is pending and the cooldown is not over
	startRefused                    // MaxSends codes were sent for the pending verification
	startResend                     // a new code for the pending verification
	startSend                       // a new verification
)

// startActionFor decides what Start does at now for the phone's record r (nil: none).
func (v *Verifier) startActionFor(r *record, now time.Time) startAction {
	switch {
	case r == nil || r.status(now) != wrapper.StatusPending:
		return startSend
	case now.Before(r.SentAt.Add(v.cfg.ResendCooldown)):
		return startNothing
	case r.Sends >= v.cfg.MaxSends:
		return startRefused
	}
	return startResend
}

// Start sends a code to req.Phone, or answers the verification already pending for it.
//
//   - Nothing pending (or the last verification has finished): a new verification, with Sent
//     true and Sends 1.
//   - Pending, within Config.ResendCooldown of the last code: nothing is sent and the same
//     Verification comes back with Sent false. Double clicks, reloads and several replicas at
//     once all get the same ID, and one SMS is sent.
//   - Pending after the cooldown: a new code for the same verification (Sends+1), until
//     Config.MaxSends codes were sent; then ErrTooManySends with the Verification, whose
//     ExpiresAt says when a new verification can start. A resend the service refuses because
//     the session has ended starts a new verification instead.
//
// An invalid number is ErrInvalidPhone and nothing is spent. A Store that fails before the send
// is ErrStoreUnavailable and nothing is sent. If the Store fails after the service sent a code,
// Start returns an error matching ErrStoreUnavailable, and the code cannot be checked: a new
// verification is canceled at the service so that its code does not work; the next Start sends
// another code. Errors of the service come back as the wrapper returned them.
func (v *Verifier) Start(ctx context.Context, req StartRequest) (*Verification, error) {
	p, err := parsePhone(req.Phone, v.cfg.DefaultRegion)
	if err != nil {
		return nil, err
	}
	st, err := v.load(ctx, p)
	if err != nil {
		return nil, err
	}
	var act startAction
	for {
		now := v.cfg.Now()
		act = v.startActionFor(st.rec, now)
		switch act {
		case startNothing:
			return v.view(p, st.rec, now, false), nil
		case startRefused:
			return v.view(p, st.rec, now, false), ErrTooManySends
		}
		// A code is about to be sent (act is startSend or startResend) to p, parsed (p.number,
		// p.country), for req (req.IP, req.UserID): the rules that may refuse it run here,
		// before the phone's lock and before anything is spent. A refusal returns here; this
		// spot can be reached again when another call held the lock and the decision is made
		// anew.
		ok, err := st.lock(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
	}

	callCtx, cancel := context.WithTimeout(ctx, callBudget)
	rec, resent, err := v.deliver(callCtx, p, st.rec, act)
	cancel()
	if err != nil {
		st.release(ctx)
		return nil, err
	}
	afterCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), afterCallBudget)
	defer cancel()
	now := v.cfg.Now()
	if err := st.commit(afterCtx, rec, now); err != nil {
		return nil, v.unrecorded(ctx, p, rec, resent, err)
	}
	// The code is sent (resent says whether as a resend) and recorded: the counters of the
	// rules that run before a send are recorded here, for p and req.
	msg := "verification code sent"
	if resent {
		msg = "verification code resent"
	}
	v.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("phone", p.String()),
		slog.String("authentication_id", rec.ID), slog.Int("sends", rec.Sends))
	return v.view(p, rec, now, true), nil
}

// deliver makes the service send a code: a resend of r's session for startResend, a new
// session otherwise (and when the service says r's session has ended). It returns the record
// to store and whether the code was a resend.
func (v *Verifier) deliver(ctx context.Context, p phone, r *record, act startAction) (*record, bool, error) {
	if act == startResend {
		_, err := v.client.ResendOTP(ctx, r.ID)
		if err == nil {
			now := v.cfg.Now()
			next := *r
			next.Sends++
			next.SentAt, next.ExpiresAt = now, now.Add(v.cfg.CodeLifetime)
			next.CodeHash = ""
			return &next, true, nil
		}
		if _, ended := finishedAtService(err); !ended {
			return nil, false, err
		}
		// The session ended at the service before this clock said so: start anew.
	}
	a, err := v.client.SendOTP(ctx, wrapper.SendOTPRequest{
		Recipient:    p.digits,
		Channel:      v.cfg.Channel,
		Sender:       v.cfg.Sender,
		SenderAlt:    v.cfg.SenderAlt,
		TemplateID:   v.cfg.TemplateID,
		CodeLifetime: v.cfg.CodeLifetime,
		CodeMaxTries: v.cfg.CodeMaxTries,
		CodeDigits:   v.cfg.CodeDigits,
	})
	if err != nil {
		return nil, false, err
	}
	now := v.cfg.Now()
	return &record{
		ID:        a.ID,
		Status:    wrapper.StatusPending,
		Country:   p.country,
		Sends:     1,
		MaxTries:  v.cfg.CodeMaxTries,
		Lifetime:  v.cfg.CodeLifetime,
		SentAt:    now,
		ExpiresAt: now.Add(v.cfg.CodeLifetime),
	}, false, nil
}

// unrecorded handles a store failure after the service sent a code. A new session that no
// replica can find is canceled, so its code does not work and it does not stay pending at the
// service; a resend belongs to a session the store knows, so it is left alone.
func (v *Verifier) unrecorded(ctx context.Context, p phone, r *record, resent bool, err error) error {
	attrs := []slog.Attr{slog.String("phone", p.String()), slog.String("authentication_id", r.ID), slog.String("error", err.Error())}
	if !resent {
		// A budget of its own: the failed commit may have used up the one before.
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), afterCallBudget)
		defer cancel()
		if _, cerr := v.client.CancelOTP(cancelCtx, r.ID); cerr != nil {
			attrs = append(attrs, slog.String("cancel_error", cerr.Error()))
		}
	}
	v.cfg.Logger.LogAttrs(ctx, slog.LevelError, "verification code sent but not recorded", attrs...)
	return fmt.Errorf("verify: a code was sent but could not be recorded; the next Start sends a new one: %w", err)
}
