// Package testkit holds what the project's tests share: a fake clock and a
// buffer that several goroutines may write at once. It is imported only by
// _test.go files.
package testkit
