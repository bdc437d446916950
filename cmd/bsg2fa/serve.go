package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
)

// shutdownTimeout bounds how long a stopping sandbox waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// Server limits of the sandbox command. A request is small (the largest valid body is well
// under 1 KiB), so a client that needs more than the read timeout for one is trickling. The
// write timeout leaves room for the longest fault delay.
const (
	defaultReadTimeout = 10 * time.Second
	defaultIdleTimeout = 30 * time.Second
	defaultMaxConns    = 256
	readHeaderTimeout  = 5 * time.Second
	writeTimeout       = sandbox.MaxFaultDelay + 30*time.Second
	maxHeaderBytes     = 16 << 10
)

const sandboxAbout = `Serve a local, in-memory BSG 2FA API until interrupted (Ctrl-C or SIGTERM). It answers
every operation in the service's shapes and sends nothing: each code it "sends" is logged
to stderr. Point a client at it with BSG_BASE_URL=http://<addr>. Log in with the -api-key
value, or with any non-empty key when none is given.

Hooks for tests in any language (no bearer needed):

  GET    /_sandbox/recipients/{phone}/code     the code last sent to a number, any form
                                               → {"code":"…","authentication_id":"…","recipient":"…"}
  GET    /_sandbox/authentications/{id}/code   the code of one session → {"code":"…"}
  GET    /_sandbox/messages?recipient=&since=  the outbox, newest first, codes filled in
  DELETE /_sandbox/messages                    clear the outbox
  POST   /_sandbox/faults                      {"operation":"sendOtp","status":503,"times":1}
                                               or "delay_ms":2000, or "drop":true; any
                                               operationId, the document's error bodies
  GET    /_sandbox/faults, DELETE /_sandbox/faults
  POST   /_sandbox/reset                       drop every session, template, bearer, fault
  POST   /_sandbox/templates/{id}/approve      (and /reject) play the vendor's manager

"bsg2fa code -to PHONE" prints the code last sent to PHONE.

Because /_sandbox/ needs no bearer and, without -api-key, any key logs in, the sandbox
listens on loopback only; -public allows another address (with a warning).`

func (c *cli) sandbox(args []string) error {
	f := newFlagSet("sandbox", "[flags]", sandboxAbout)
	var (
		addr, apiKey, balance, priceFlag, msgPrice, currency string
		tokenTTL, retention, delivery                        time.Duration
		pendingLimit, totalLimit, rateLimit, maxSessions     int
		stopList                                             listFlag
		public                                               bool
		readTimeout, idleTimeout                             time.Duration
		maxConns                                             int
	)
	f.StringVar(&addr, "addr", "127.0.0.1:8025", "`address` to listen on, host:port (port 0 picks a free one)")
	f.StringVar(&apiKey, "api-key", "", "the one API `key` login accepts (default: any non-empty key); never printed")
	f.DurationVar(&tokenTTL, "token-ttl", sandbox.DefaultTokenTTL, "lifetime of a bearer from login or refresh")
	f.IntVar(&pendingLimit, "pending-limit", 0, "refuse sends while this many sessions are pending (0: no limit)")
	f.IntVar(&totalLimit, "total-limit", 0, "refuse sends once this many sessions were created (0: no limit)")
	f.Var(&stopList, "stop-list", "phone `numbers` on the stop list, comma-separated; repeatable")
	f.StringVar(&balance, "balance", "", "account balance, an `amount` such as 1.50 (default unlimited); sends fail with 402 once it runs out")
	f.StringVar(&priceFlag, "price", sandbox.DefaultPrice, "price of a verified session, an `amount` with a point or a comma")
	f.StringVar(&msgPrice, "message-price", sandbox.DefaultMessagePrice, "price of each message, an `amount`")
	f.StringVar(&currency, "currency", sandbox.DefaultCurrency, "three-letter `currency` of the prices")
	f.IntVar(&rateLimit, "rate-limit", 0, "requests per second to /api/ before 429 (0: no limit)")
	f.DurationVar(&retention, "retention", sandbox.DefaultRetention, "how long finished sessions are kept")
	f.IntVar(&maxSessions, "max-sessions", sandbox.DefaultMaxSessions, "finished sessions kept at most (oldest dropped first)")
	f.DurationVar(&delivery, "delivery-delay", sandbox.DefaultDeliveryDelay, "how long a message reads accepted before delivered")
	f.BoolVar(&public, "public", false, "allow an -addr that is not loopback (anyone who reaches it can read codes)")
	f.IntVar(&maxConns, "max-conns", defaultMaxConns, "connections served at once; at the limit the longest idle one is closed")
	f.DurationVar(&readTimeout, "read-timeout", defaultReadTimeout, "time limit to read a whole request, body included")
	f.DurationVar(&idleTimeout, "idle-timeout", defaultIdleTimeout, "how long a keep-alive connection may wait for its next request")
	if _, err := f.parse(args); err != nil {
		return err
	}
	// The sandbox ignores an amount it does not take, silently, so the command line refuses it.
	for _, a := range []struct{ name, value string }{{"balance", balance}, {"price", priceFlag}, {"message-price", msgPrice}} {
		if a.value != "" && !sandbox.ValidAmount(a.value) {
			return f.fail("-%s: %q is not an amount (digits, a point or a comma, at most 7 decimals)", a.name, a.value)
		}
	}
	switch {
	case tokenTTL <= 0:
		return f.fail("-token-ttl must be positive")
	case retention <= 0:
		return f.fail("-retention must be positive")
	case delivery < 0:
		return f.fail("-delivery-delay must not be negative")
	case pendingLimit < 0 || totalLimit < 0 || rateLimit < 0:
		return f.fail("limits must not be negative")
	case maxSessions < 1:
		return f.fail("-max-sessions must be at least 1")
	case maxConns < 1:
		return f.fail("-max-conns must be at least 1")
	case readTimeout <= 0 || idleTimeout <= 0:
		return f.fail("-read-timeout and -idle-timeout must be positive")
	case len(currency) != 3 || strings.Trim(strings.ToUpper(currency), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return f.fail("-currency must be three letters")
	}
	if apiKey != "" && strings.TrimSpace(apiKey) == "" {
		return f.fail("-api-key must not be blank")
	}

	handler := slog.NewTextHandler(c.stderr, nil)
	logger := slog.New(handler)
	opts := []sandbox.Option{
		sandbox.WithLogger(logger),
		sandbox.WithTokenTTL(tokenTTL),
		sandbox.WithPendingLimit(pendingLimit),
		sandbox.WithTotalLimit(totalLimit),
		sandbox.WithStopList(stopList...),
		sandbox.WithPrice(priceFlag),
		sandbox.WithMessagePrice(msgPrice),
		sandbox.WithCurrency(currency),
		sandbox.WithRateLimit(rateLimit),
		sandbox.WithRetention(retention),
		sandbox.WithMaxSessions(maxSessions),
		sandbox.WithDeliveryDelay(delivery),
	}
	if apiKey != "" {
		opts = append(opts, sandbox.WithAPIKey(apiKey))
	}
	if balance != "" {
		opts = append(opts, sandbox.WithBalance(balance))
	}

	if !loopbackAddr(addr) && !public {
		return f.fail("-addr %s is not a loopback address: /_sandbox/ needs no bearer, so anyone who reaches it can read codes; give -public to allow it", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		if !public { // a name that looked like loopback did not resolve to it
			_ = ln.Close()
			return f.fail("-addr %s listens on %s, which is not loopback; give -public to allow it", addr, ln.Addr())
		}
		fmt.Fprintln(c.stderr, publicWarning(ln.Addr().String(), apiKey != ""))
	}
	limited := newConnLimiter(ln, maxConns)
	srv := &http.Server{
		Handler:           sandbox.New(opts...),
		ReadHeaderTimeout: min(readHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         limited.ConnState,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	fmt.Fprintf(c.stdout, "sandbox listening on http://%s\n", ln.Addr())
	if apiKey != "" {
		fmt.Fprintln(c.stdout, "login: the API key given with -api-key")
	} else {
		fmt.Fprintln(c.stdout, "login: any non-empty API key")
	}
	err = serve(c.ctx, srv, limited, logger)
	st := limited.stats()
	logger.Info("connections", slog.Int("accepted", st.accepted), slog.Int("peak_open", st.peak),
		slog.Int("limit", st.limit), slog.Int("idle_closed_at_limit", st.evicted))
	return err
}

// loopbackAddr reports whether a listen address (host:port) can only be reached from this
// machine: "localhost" or a loopback IP. An empty host means every interface.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// publicWarning is printed when -public lets the sandbox listen beyond loopback.
func publicWarning(addr string, hasKey bool) string {
	w := "warning: the sandbox listens on " + addr + ", beyond this machine: /_sandbox/ needs no bearer, so anyone who reaches it can read codes"
	if !hasKey {
		w += ", and without -api-key any key logs in"
	}
	return w
}

// serve serves on ln until ctx is done, then shuts down, waiting at most shutdownTimeout for
// the requests in flight.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, logger *slog.Logger) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}
