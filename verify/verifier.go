package verify

import (
	"net/netip"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Verifier verifies phone numbers: Start sends a code, Check checks what the user typed, Cancel
// ends a verification. It is safe for concurrent use, and Verifiers on several replicas that
// share one Store behave as one.
type Verifier struct {
	client *wrapper.Client
	cfg    Config
}

// New returns a Verifier that sends codes through c as cfg says. An invalid Config is an error
// matching ErrInvalidConfig.
func New(c *wrapper.Client, cfg Config) (*Verifier, error) {
	if c == nil {
		return nil, configError("the wrapper.Client", "is nil")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Verifier{client: c, cfg: cfg}, nil
}

// StartRequest asks for a code to be sent to a phone.
type StartRequest struct {
	// Phone is the number in any common written form ("+380 97 996 5073", "(097) 996-50-73"
	// with DefaultRegion "UA"); it is normalised to E.164 digits.
	Phone string
	// IP is the end user's address, optional.
	IP netip.Addr
	// UserID is the application's id of the end user, optional.
	UserID string
}

// Verification is the state of one phone's verification.
type Verification struct {
	// ID is the service's authentication id.
	ID string
	// Phone is the number, normalised: E.164 digits without "+".
	Phone string
	// Country is the ISO 3166-1 alpha-2 region of the number.
	Country string
	// Status is pending, verified, expired, failed or canceled.
	Status wrapper.Status
	// Sent reports that this call sent a code; false when the pending one stands (see ResendAt).
	Sent bool
	// Sends is how many codes this verification has sent so far.
	Sends int
	// AttemptsLeft is how many more codes the user may enter.
	AttemptsLeft int
	// ExpiresAt is when the current code expires.
	ExpiresAt time.Time
	// ResendAt is the earliest time Start sends another code.
	ResendAt time.Time
}

// view describes r at now for p; sent says this call sent its code.
func (v *Verifier) view(p phone, r *record, now time.Time, sent bool) *Verification {
	out := &Verification{
		ID:           r.ID,
		Phone:        p.digits,
		Country:      p.country,
		Status:       r.status(now),
		Sent:         sent,
		Sends:        r.Sends,
		AttemptsLeft: max(r.MaxTries-r.Tries, 0),
		ExpiresAt:    r.ExpiresAt,
		ResendAt:     v.resendAt(r, now),
	}
	if out.Status != wrapper.StatusPending {
		out.AttemptsLeft = 0
	}
	return out
}

// resendAt is the earliest time Start sends another code for r: after the cooldown, or when the
// code expires once MaxSends codes were sent; at once when r has finished.
func (v *Verifier) resendAt(r *record, now time.Time) time.Time {
	switch {
	case r.status(now) != wrapper.StatusPending:
		return now
	case r.Sends >= v.cfg.MaxSends:
		return r.ExpiresAt
	}
	return r.SentAt.Add(v.cfg.ResendCooldown)
}
