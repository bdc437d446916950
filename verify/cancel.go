package verify

import (
	"context"
	"log/slog"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Cancel ends the verification pending for phone, so that its code no longer works and the next
// Start sends a new one. Nothing pending is ErrNoVerification.
func (v *Verifier) Cancel(ctx context.Context, phoneNumber string) error {
	p, err := parsePhone(phoneNumber, v.cfg.DefaultRegion)
	if err != nil {
		return err
	}
	st, err := v.load(ctx, p)
	if err != nil {
		return err
	}
	for {
		if st.rec == nil || st.rec.status(v.cfg.Now()) != wrapper.StatusPending {
			return ErrNoVerification
		}
		ok, err := st.lock(ctx)
		if err != nil {
			return err
		}
		if ok {
			break
		}
	}

	callCtx, cancel := context.WithTimeout(ctx, callBudget)
	_, cerr := v.client.CancelOTP(callCtx, st.rec.ID)
	cancel()
	status, ended := wrapper.StatusCanceled, true
	if cerr != nil {
		if status, ended = finishedAtService(cerr); !ended {
			st.release(ctx)
			return cerr
		}
	}
	now := v.cfg.Now()
	next := *st.rec
	next.finish(status, now)
	afterCtx, cancelAfter := context.WithTimeout(context.WithoutCancel(ctx), afterCallBudget)
	defer cancelAfter()
	if err := st.commit(afterCtx, &next, now); err != nil {
		return err
	}
	if cerr != nil {
		return outcome(ErrNoVerification, cerr)
	}
	v.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "verification canceled",
		slog.String("phone", p.String()), slog.String("authentication_id", next.ID))
	return nil
}
