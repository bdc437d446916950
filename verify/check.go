package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Check checks the code the user typed for phone (spaces around it are trimmed).
//
//   - The right code: Status verified and a nil error. The same code submitted again within
//     Config.CodeLifetime of the verification (a double submit, another replica) is verified
//     again without asking the service; any other code then is ErrNoVerification.
//   - A wrong code: ErrWrongCode with the Verification, whose AttemptsLeft says how many may
//     follow; the same wrong code submitted again is answered alike without spending an
//     attempt, and so is a code that cannot be right (not Config.CodeDigits digits). The last
//     wrong one is ErrTooManyAttempts, and so is every Check after it until a new Start.
//   - The code's lifetime is over: ErrExpired. Nothing pending: ErrNoVerification.
//
// Concurrent Checks for one phone, on one replica or many, make at most one call to the
// service per submitted code. A Store failure before the call is ErrStoreUnavailable and
// nothing is spent. If the Store fails after the service answered, the answer is returned
// (joined with the ErrStoreUnavailable error, except for a verified code, which is returned
// as verified) and a re-submit of the code asks the service again.
func (v *Verifier) Check(ctx context.Context, phoneNumber, code string) (*Verification, error) {
	p, err := parsePhone(phoneNumber, v.cfg.DefaultRegion)
	if err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	st, err := v.load(ctx, p)
	if err != nil {
		return nil, err
	}
	for {
		if out, err, done := v.checkStored(p, st.rec, code, v.cfg.Now()); done {
			return out, err
		}
		ok, err := st.lock(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
	}

	callCtx, cancel := context.WithTimeout(ctx, callBudget)
	_, verr := v.client.VerifyOTP(callCtx, st.rec.ID, code)
	cancel()
	now := v.cfg.Now()
	rec, err := v.checked(st.rec, code, verr, now)
	if rec == nil {
		st.release(ctx)
		return nil, err
	}
	out := v.view(p, rec, now, false)
	if out.Status == wrapper.StatusCanceled || out.Status == wrapper.StatusVerified && err != nil {
		out = nil
	}
	afterCtx, cancelAfter := context.WithTimeout(context.WithoutCancel(ctx), afterCallBudget)
	defer cancelAfter()
	if cerr := st.commit(afterCtx, rec, now); cerr != nil {
		v.cfg.Logger.LogAttrs(ctx, slog.LevelError, "verification outcome not recorded",
			slog.String("phone", p.String()), slog.String("authentication_id", rec.ID), slog.String("error", cerr.Error()))
		if err != nil {
			err = fmt.Errorf("%w (%w)", err, cerr)
		}
		return out, err
	}
	if err == nil {
		// The code is verified (rec.SentAt is when its code was sent): the counters of the
		// rules that run before a send are recorded here, for p.
		v.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "phone verified",
			slog.String("phone", p.String()), slog.String("authentication_id", rec.ID))
	}
	return out, err
}

// checkStored answers a Check from the stored record r alone when it can (done true): nothing
// pending, an ended verification, the right code re-submitted, a wrong code re-submitted or a
// code that cannot be right. Otherwise the service must be asked.
func (v *Verifier) checkStored(p phone, r *record, code string, now time.Time) (out *Verification, err error, done bool) {
	if r == nil {
		return nil, ErrNoVerification, true
	}
	switch r.status(now) {
	case wrapper.StatusVerified:
		if r.CodeHash != "" && r.CodeHash == r.codeHash(code) && now.Before(r.end()) {
			return v.view(p, r, now, false), nil, true
		}
		return nil, ErrNoVerification, true
	case wrapper.StatusFailed:
		return v.view(p, r, now, false), ErrTooManyAttempts, true
	case wrapper.StatusExpired:
		return v.view(p, r, now, false), ErrExpired, true
	case wrapper.StatusPending:
		if !isCode(code, v.cfg.CodeDigits) || r.CodeHash == r.codeHash(code) {
			return v.view(p, r, now, false), ErrWrongCode, true
		}
		return nil, nil, false
	}
	return nil, ErrNoVerification, true
}

// checked turns the service's answer to a verify of r into the record to store and the
// outcome. A nil record means the answer is no outcome of the verification (a network
// failure, a rate limit, …): nothing changes and verr comes back as it is.
func (v *Verifier) checked(r *record, code string, verr error, now time.Time) (*record, error) {
	next := *r
	next.CodeHash = r.codeHash(code)
	switch status, ended := finishedAtService(verr); {
	case verr == nil:
		next.finish(wrapper.StatusVerified, now)
		return &next, nil
	case ended:
		next.finish(status, now)
		if status == wrapper.StatusFailed {
			next.Tries = next.MaxTries
		}
		if status == wrapper.StatusVerified {
			next.CodeHash = "" // verified by another code, through another path
		}
		return &next, finishedError(status, verr)
	case errors.Is(verr, wrapper.ErrWrongCode):
		next.Tries++
		return &next, outcome(ErrWrongCode, verr)
	}
	return nil, verr
}

// isCode reports whether s is n ASCII digits: anything else cannot be a code of this Verifier.
func isCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
