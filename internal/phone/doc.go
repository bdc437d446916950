// Package phone holds the one way the project shows a phone number in a log or an error:
// masked, so that two numbers can be told apart without either being disclosed. The wrapper,
// the sandbox and verify all write numbers this way, so one number reads the same in each of
// their logs.
//
// It imports only the standard library, so that sharing it carries no package of one lane
// into another.
package phone
