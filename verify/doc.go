// Package verify verifies phone numbers with one-time codes sent through BSG, on top of the
// wrapper package: the flow a web application needs for a phone login, safe under double
// clicks, reloads, resends and many replicas.
//
// The service knows sessions by id; users know their phone number. A Verifier keeps, per
// phone, the current session in a Store and a short per-phone lock, so that:
//
//   - Start sends one code however many requests arrive at once, on one replica or many,
//     answers the pending verification within Config.ResendCooldown, resends after it (up to
//     Config.MaxSends codes), and starts a new verification once the last one has finished;
//   - Check counts attempts (the service does not report them), answers a re-submit of the
//     right code as verified again without asking the service, and maps the service's answers
//     to a few outcomes;
//   - Cancel ends a verification.
//
// Phone numbers are parsed once, at the edge, with github.com/nyaruka/phonenumbers (the Go
// port of libphonenumber): an invalid number is ErrInvalidPhone before anything is spent, and
// the number's country comes from the same parse.
//
// # Stores
//
// NewMemoryStore serves one process. For several replicas, use
// github.com/go-bsg/bsg2fa/verify/redisstore on one Redis (single node, Sentinel or Cluster):
//
//	v, err := verify.New(client, verify.Config{
//		Sender: "MyShop", TemplateID: 42,
//		Store:  redisstore.New(redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})),
//	})
//
// Stores keep a one-way hash of a code entered, never a code, and give every key a time to
// live: nothing outlives its verification by more than a minute.
//
// # Errors
//
// Match outcomes with errors.Is: ErrWrongCode (with the Verification and its AttemptsLeft),
// ErrTooManyAttempts, ErrExpired, ErrNoVerification, ErrTooManySends, ErrInvalidPhone,
// ErrStoreUnavailable. An outcome the service reported keeps the service's error inside, so
// errors.Is(err, wrapper.ErrCodeExpired) matches as well as errors.Is(err, ErrExpired), and
// errors.As(err, &apiErr) reaches the *wrapper.APIError. Errors of the service that are no
// outcome of a verification (wrapper.ErrInsufficientFunds, wrapper.ErrRateLimited, a
// network failure) come back as the wrapper returned them, and nothing is recorded.
//
// # When the Store fails
//
// The Store is read before anything is sent, and its failure then is ErrStoreUnavailable with
// nothing sent: the Verifier fails closed. If the Store fails after the service has sent a code
// (Redis stops in the middle of a Start), Start returns an error matching ErrStoreUnavailable:
// a new session no replica can find is canceled at the service, so its code does not work, and
// the user's next Start sends one more code once the Store is back. A lock left behind by a
// failure holds the phone for at most its 30-second lease. If the Store fails after the service
// has verified a code, Check still reports the code as verified.
package verify
