package sandbox

import (
	"io"
	"log/slog"
	"strings"
	"time"
)

// Option configures a Server. Options never fail: a value that makes no sense (a negative
// duration, a price that is not a decimal, a nil function) is ignored and the default stays,
// so New cannot panic or fail on any combination of options.
type Option func(*config)

// config holds everything the options set; New copies it into the Server once.
type config struct {
	clock         func() time.Time
	apiKey        string
	tokenTTL      time.Duration
	pendingLimit  int
	totalLimit    int
	stopList      map[string]struct{}
	balance       int64
	balanceSet    bool
	authPrice     int64
	messagePrice  int64
	currency      string
	ratePerSecond int
	retention     time.Duration
	maxSessions   int
	rand          io.Reader
	logger        *slog.Logger
	deliveryDelay time.Duration
	templates     []templateSeed
}

type templateSeed struct {
	id        int
	name      string
	text      string
	countries []string
}

// Defaults of the options, as documented on each option; exported so that tools built on the
// sandbox (such as the bsg2fa command) show the same values.
const (
	// DefaultTokenTTL is the lifetime of a bearer (WithTokenTTL): 30 days, as the vendor's
	// example token.
	DefaultTokenTTL = 720 * time.Hour
	// DefaultRetention is how long finished sessions are kept (WithRetention).
	DefaultRetention = 24 * time.Hour
	// DefaultMaxSessions is how many finished sessions are kept at most (WithMaxSessions).
	DefaultMaxSessions = 100_000
	// DefaultDeliveryDelay is how long a message reads accepted before delivered
	// (WithDeliveryDelay).
	DefaultDeliveryDelay = 2 * time.Second
	// DefaultPrice is the price written on a verified session (WithPrice).
	DefaultPrice = "0,02"
	// DefaultMessagePrice is the price of each message (WithMessagePrice).
	DefaultMessagePrice = "0.0642918"
	// DefaultCurrency is the currency of the prices (WithCurrency).
	DefaultCurrency = "USD"
)

func defaultConfig() config {
	auth, _ := parseMoney(DefaultPrice)
	msg, _ := parseMoney(DefaultMessagePrice)
	return config{
		clock:         time.Now,
		tokenTTL:      DefaultTokenTTL,
		stopList:      map[string]struct{}{},
		authPrice:     auth,
		messagePrice:  msg,
		currency:      DefaultCurrency,
		retention:     DefaultRetention,
		maxSessions:   DefaultMaxSessions,
		deliveryDelay: DefaultDeliveryDelay,
	}
}

// WithClock sets the clock the sandbox reads for every timestamp, token expiry, code expiry,
// message delivery and retention, so tests can move time forward without sleeping.
// The default is time.Now; nil keeps it.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithAPIKey sets the one API key POST /api/auth/login accepts; any other key is answered
// with 401 {"message":"Unauthenticated."}. By default any non-empty key is accepted.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithTokenTTL sets how long a bearer issued by login or refresh stays valid, by the sandbox
// clock. The default is 720h (30 days, the lifetime of the vendor's example token); values
// that are not positive keep it.
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.tokenTTL = d
		}
	}
}

// WithPendingLimit refuses a send with 422 "Authentication limit with status pending" while
// n sessions are pending. Off by default (and for n <= 0), so it never gets in a test's way.
func WithPendingLimit(n int) Option {
	return func(c *config) { c.pendingLimit = max(n, 0) }
}

// WithTotalLimit refuses a send with 422 "Total authentication limit" once n sessions have
// been created by this server in all. Off by default (and for n <= 0).
func WithTotalLimit(n int) Option {
	return func(c *config) { c.totalLimit = max(n, 0) }
}

// WithStopList puts phone numbers (digits only, as sent in "recipient") on the account's stop
// list: a send to any of them is refused with 422 "Recipient exists on the stop list".
// Repeated options add up.
func WithStopList(numbers ...string) Option {
	return func(c *config) {
		for _, n := range numbers {
			c.stopList[strings.TrimPrefix(strings.TrimSpace(n), "+")] = struct{}{}
		}
	}
}

// WithBalance gives the account a balance, written as a decimal string with a point or a
// comma and at most 7 decimal places ("1", "0.5", "0,1285836"); money is kept exactly, never
// as a float. Every message sent (send and resend) costs the message price and every verified
// session the authentication price; a send or resend that the balance no longer covers is
// refused with 402 "Insufficient funds". A verification is never refused, so the balance can
// end slightly below zero. Off by default: the balance is unlimited. An invalid or negative
// amount keeps it off.
func WithBalance(amount string) Option {
	return func(c *config) {
		if v, err := parseMoney(amount); err == nil {
			c.balance, c.balanceSet = v, true
		}
	}
}

// WithPrice sets the authentication price a verified session carries, as a decimal string
// with a point or a comma and at most 7 decimal places. The sandbox writes it the way the
// service does, with a decimal comma: "0,02" (the default). Pending, canceled, failed and
// expired sessions carry "0". An invalid amount keeps the default.
func WithPrice(amount string) Option {
	return func(c *config) {
		if v, err := parseMoney(amount); err == nil {
			c.authPrice = v
		}
	}
}

// WithMessagePrice sets the price of each message, as a decimal string with at most 7 decimal
// places. Messages carry it as a JSON number, as the service writes them; the default is
// 0.0642918. An invalid amount keeps the default.
func WithMessagePrice(amount string) Option {
	return func(c *config) {
		if v, err := parseMoney(amount); err == nil {
			c.messagePrice = v
		}
	}
}

// WithCurrency sets the three-letter currency written next to every price; the default is USD.
// A value that is not three letters keeps it.
func WithCurrency(code string) Option {
	return func(c *config) {
		if len(code) == 3 && isLetters(code) {
			c.currency = strings.ToUpper(code)
		}
	}
}

// WithRateLimit lets through at most perSecond requests to /api/ per second in all (a token
// bucket holding perSecond tokens, refilled by the sandbox clock); the others are answered
// with 429 {"message":"Too many duplicate request detected"} and a Retry-After header in whole
// seconds. The /_sandbox/ endpoints are never limited. Off by default (and for perSecond <= 0).
func WithRateLimit(perSecond int) Option {
	return func(c *config) { c.ratePerSecond = max(perSecond, 0) }
}

// WithRetention sets how long a finished session (verified, failed, canceled or expired) is
// kept after it finished, by the sandbox clock; after that it is dropped and answered as
// "Authentication not found". The default is 24h; values that are not positive keep it.
func WithRetention(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.retention = d
		}
	}
}

// WithMaxSessions sets how many finished sessions are kept at most; beyond it the oldest
// finished ones (in the order they finished) are dropped. Pending sessions are never dropped
// before they expire. The default is 100,000; values below 1 keep it.
func WithMaxSessions(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxSessions = n
		}
	}
}

// WithRand sets the source of randomness for codes and session ids, so a test can make them
// reproducible (for example with a seeded math/rand/v2 ChaCha8). The default is crypto/rand;
// nil keeps it. The bearer signing key always comes from crypto/rand.
func WithRand(r io.Reader) Option {
	return func(c *config) { c.rand = r }
}

// WithLogger makes the sandbox log one line per request (method, path, status, duration) and
// one line per code it sends, with the code itself: showing the codes is what the sandbox is
// for. Recipients are masked; API keys and bearers are never logged. By default nothing is
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithDeliveryDelay sets how long, by the sandbox clock, a message stays "accepted" before it
// reads as "delivered" with sent_at set; the default is 2s. Zero delivers at once; negative
// values keep the default.
func WithDeliveryDelay(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.deliveryDelay = d
		}
	}
}

// WithApprovedTemplate adds an approved template that exists from the start, besides the
// default template 1, so tests need not create and approve one. countries are ISO 3166-1
// alpha-2 codes; none means every country. The option is ignored when id is below 2 or
// already taken, or when text does not hold {code2fa} exactly once.
func WithApprovedTemplate(id int, name, text string, countries ...string) Option {
	return func(c *config) {
		if id < 2 || id > maxTemplateID || strings.Count(text, codeVar) != 1 {
			return
		}
		for _, t := range c.templates {
			if t.id == id {
				return
			}
		}
		c.templates = append(c.templates, templateSeed{id: id, name: name, text: text, countries: normCountries(countries)})
	}
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i] | 0x20
		if b < 'a' || b > 'z' {
			return false
		}
	}
	return s != ""
}
