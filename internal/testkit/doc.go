// Package testkit holds what the project's tests share, so that each piece is written and
// fixed once: a fake clock, a buffer that several goroutines may write at once, bearers
// shaped like the service's, and an http.RoundTripper that checks every answer against
// api/bsg-2fa.yaml. It is imported only by _test.go files and by test-only packages.
package testkit
