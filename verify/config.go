package verify

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Defaults of Config.
const (
	DefaultCodeLifetime   = 5 * time.Minute
	DefaultCodeDigits     = 6
	DefaultCodeMaxTries   = 3
	DefaultResendCooldown = 30 * time.Second
	DefaultMaxSends       = 5
)

// The service's limits on a code (see wrapper.SendOTPRequest), checked by New so that a wrong
// Config fails at start-up rather than at the first user's login.
const (
	minCodeLifetime = 30 * time.Second
	maxCodeLifetime = 300 * time.Second
	minCodeDigits   = 3
	maxCodeDigits   = 9
	minCodeMaxTries = 1
	maxCodeMaxTries = 5
)

// Config is what a Verifier sends and how it paces the sends. The zero value of every field
// but Sender and TemplateID means its default.
type Config struct {
	// Sender is the SMS or Viber sender name or number. Required.
	Sender string
	// TemplateID is an approved template of the account. Required.
	TemplateID int
	// Channel is how codes travel; default wrapper.ChannelSMS.
	Channel wrapper.Channel
	// SenderAlt is the SMS sender used when a Viber message cannot be delivered (Viber only).
	SenderAlt string
	// CodeLifetime is how long each code stays valid, 30s to 5m in whole seconds; default 5m.
	CodeLifetime time.Duration
	// CodeDigits is the length of the codes, 3 to 9; default 6.
	CodeDigits int
	// CodeMaxTries is how many codes a user may enter for one verification, 1 to 5; default 3.
	CodeMaxTries int
	// ResendCooldown is how long after a code a Start sends nothing and answers the pending
	// verification again; default 30s. A negative value means no cooldown.
	ResendCooldown time.Duration
	// MaxSends is how many codes one verification may send (the first and its resends);
	// default 5.
	MaxSends int
	// DefaultRegion is the ISO 3166-1 alpha-2 region of numbers written without their country
	// code ("0979965073" with "UA"). "" means none: every number must carry its country code,
	// with or without "+".
	DefaultRegion string
	// Store keeps the verifications; default NewMemoryStore(). Replicas share one Store.
	Store Store
	// Now is the clock of the verifications; default time.Now. In tests, the clock the
	// service (or the sandbox) uses.
	Now func() time.Time
	// Logger receives one line per code sent, verification finished and store failure, with
	// phone numbers masked and never a code. Default: nothing is logged.
	Logger *slog.Logger
}

// withDefaults returns c with its zero fields set to their defaults, or an error naming the
// first field that is wrong.
func (c Config) withDefaults() (Config, error) {
	if strings.TrimSpace(c.Sender) == "" {
		return c, configError("Sender", "is required")
	}
	if c.TemplateID <= 0 {
		return c, configError("TemplateID", "is required")
	}
	switch c.Channel {
	case "":
		c.Channel = wrapper.ChannelSMS
	case wrapper.ChannelSMS, wrapper.ChannelViber:
	default:
		return c, configError("Channel", "must be sms or viber")
	}
	if c.SenderAlt != "" && c.Channel != wrapper.ChannelViber {
		return c, configError("SenderAlt", "is for the Viber channel only")
	}
	if c.CodeLifetime == 0 {
		c.CodeLifetime = DefaultCodeLifetime
	}
	if c.CodeLifetime < minCodeLifetime || c.CodeLifetime > maxCodeLifetime || c.CodeLifetime%time.Second != 0 {
		return c, configError("CodeLifetime", "must be 30s to 5m in whole seconds")
	}
	if c.CodeDigits == 0 {
		c.CodeDigits = DefaultCodeDigits
	}
	if c.CodeDigits < minCodeDigits || c.CodeDigits > maxCodeDigits {
		return c, configError("CodeDigits", "must be 3 to 9")
	}
	if c.CodeMaxTries == 0 {
		c.CodeMaxTries = DefaultCodeMaxTries
	}
	if c.CodeMaxTries < minCodeMaxTries || c.CodeMaxTries > maxCodeMaxTries {
		return c, configError("CodeMaxTries", "must be 1 to 5")
	}
	switch {
	case c.ResendCooldown == 0:
		c.ResendCooldown = DefaultResendCooldown
	case c.ResendCooldown < 0:
		c.ResendCooldown = 0
	}
	if c.MaxSends == 0 {
		c.MaxSends = DefaultMaxSends
	}
	if c.MaxSends < 1 {
		return c, configError("MaxSends", "must be at least 1")
	}
	if c.DefaultRegion != "" {
		c.DefaultRegion = strings.ToUpper(c.DefaultRegion)
		if phonenumbers.GetCountryCodeForRegion(c.DefaultRegion) == 0 {
			return c, configError("DefaultRegion", "is not a region phone numbers know")
		}
	}
	if c.Store == nil {
		c.Store = NewMemoryStore()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// ErrInvalidConfig is matched by every error New returns for a Config it cannot use.
var ErrInvalidConfig = errors.New("verify: invalid config")

func configError(field, reason string) error {
	return fmt.Errorf("%w: %s %s", ErrInvalidConfig, field, reason)
}
