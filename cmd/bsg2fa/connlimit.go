package main

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
)

// connLimiter is a net.Listener that serves at most max connections at once. When a client
// arrives at the limit, Accept first closes the connection that has been idle (a keep-alive
// between requests) the longest, so idle clients cannot starve new ones; with none idle, the
// new client waits (with the kernel's backlog behind it) until a connection closes. Its
// ConnState method must be the http.Server's ConnState.
type connLimiter struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}

	mu       sync.Mutex
	idle     []*limitedConn // oldest first
	closed   bool
	accepted int
	open     int
	peak     int
	evicted  int
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, max), done: make(chan struct{})}
}

func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	// A slot is needed only once a client has arrived: idle connections are closed on demand,
	// never ahead of one.
	select {
	case l.slots <- struct{}{}:
	default:
		l.evictIdle()
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			_ = c.Close()
			return nil, net.ErrClosed
		}
	}
	l.mu.Lock()
	l.accepted++
	l.open++
	l.peak = max(l.peak, l.open)
	l.mu.Unlock()
	return &limitedConn{Conn: c, l: l}, nil
}

func (l *connLimiter) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
	l.mu.Unlock()
	return l.Listener.Close()
}

// evictIdle closes the connection idle the longest, if any.
func (l *connLimiter) evictIdle() {
	l.mu.Lock()
	if len(l.idle) == 0 {
		l.mu.Unlock()
		return
	}
	c := l.idle[0]
	l.idle = l.idle[1:]
	l.evicted++
	l.mu.Unlock()
	_ = c.Close()
}

// ConnState keeps the list of idle connections.
func (l *connLimiter) ConnState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.forget(lc)
	if state == http.StateIdle {
		l.mu.Lock()
		l.idle = append(l.idle, lc)
		l.mu.Unlock()
	}
}

// forget takes a connection off the idle list.
func (l *connLimiter) forget(c *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.Index(l.idle, c); i >= 0 {
		l.idle = slices.Delete(l.idle, i, i+1)
	}
}

// connStats are the counts the sandbox logs when it stops.
type connStats struct {
	accepted, peak, limit, evicted int
}

func (l *connLimiter) stats() connStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return connStats{accepted: l.accepted, peak: l.peak, limit: cap(l.slots), evicted: l.evicted}
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	// Out of the idle list before the socket closes: a peer that sees the close must not find
	// the connection still counted as idle.
	c.l.forget(c)
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
		<-c.l.slots
	})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
