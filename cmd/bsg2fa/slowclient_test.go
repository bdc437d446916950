package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSandboxCommandSlowClients holds the sandbox command to its limits on loopback: bodies
// trickled a byte at a time are cut off by the read timeout, idle keep-alives beyond the
// connection limit are closed so new clients are served, and no more than -max-conns
// connections are ever open. The counts come from the command's own log.
func TestSandboxCommandSlowClients(t *testing.T) {
	const limit = 4
	// One sandbox per kind of client, so the counts of one do not depend on the other.
	trickleURL, stopTrickle := startSandbox(t, "-max-conns", strconv.Itoa(limit), "-read-timeout", "300ms", "-idle-timeout", "1m")
	baseURL, stop := startSandbox(t, "-max-conns", strconv.Itoa(limit), "-read-timeout", "300ms", "-idle-timeout", "1m")
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stopTrickle()
			stop()
		}
	})
	addr := strings.TrimPrefix(trickleURL, "http://")

	// Trickling: three times the limit, each announcing 1,000 bytes and sending one every
	// 100ms, at most 200 (20s) before giving up on its own.
	const tricklers = 3 * limit
	const maxBytes = 200
	var cut atomic.Int32
	var longestHold atomic.Int64 // nanoseconds from dial to the server's cut, the longest
	var wg sync.WaitGroup
	for range tricklers {
		wg.Go(func() {
			dialed := time.Now()
			conn, err := net.Dial("tcp", addr)
			if !assert.NoError(t, err) {
				return
			}
			defer conn.Close()
			held := func() {
				cut.Add(1)
				d := int64(time.Since(dialed))
				for old := longestHold.Load(); d > old && !longestHold.CompareAndSwap(old, d); old = longestHold.Load() {
				}
			}
			_, err = io.WriteString(conn, "POST /api/auth/login HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
			require.NoError(t, err)
			closed := make(chan struct{})
			go func() {
				_, _ = io.Copy(io.Discard, conn) // returns when the server closes
				close(closed)
			}()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for range maxBytes {
				select {
				case <-closed:
					held()
					return
				case <-tick.C:
					if _, err := conn.Write([]byte(" ")); err != nil {
						held()
						return
					}
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(tricklers), cut.Load(), "every trickling connection is cut off by the server")
	addr = strings.TrimPrefix(baseURL, "http://")

	// Idle keep-alives: three times the limit, one request each, left open. Each new one is
	// served at once because the longest idle connection is closed to make room.
	const idlers = 3 * limit
	conns := make([]net.Conn, 0, idlers)
	for i := range idlers {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = io.WriteString(conn, "GET /_sandbox/messages HTTP/1.1\r\nHost: sandbox\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "idle connection %d was not served", i)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		conns = append(conns, conn)
	}
	// Which ones were closed is up to scheduling (the order in which the server marks them
	// idle); how many is not: one per client that arrived at the limit.
	closedCh := make(chan struct{}, idlers)
	for _, conn := range conns {
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		go func() {
			if _, err := conn.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				closedCh <- struct{}{}
			}
		}()
	}
	closedIdle := 0
	for closedIdle < idlers-limit {
		select {
		case <-closedCh:
			closedIdle++
		case <-time.After(10 * time.Second):
			require.Failf(t, "idle connections stayed open", "%d of %d closed to make room", closedIdle, idlers-limit)
		}
	}
	// A client still gets served after all that.
	resp, err := http.Get(baseURL + "/_sandbox/messages")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	trickleExit, trickleLogs := stopTrickle()
	exit, logs := stop()
	stopped = true
	require.Equal(t, 0, trickleExit, trickleLogs)
	require.Equal(t, 0, exit, logs)
	tr, idle := connCounts(t, trickleLogs), connCounts(t, logs)
	t.Logf("trickling: %d clients, %d cut off, the longest held %v from dial; server accepted %d, peak open %d (limit %d)",
		tricklers, cut.Load(), time.Duration(longestHold.Load()).Round(time.Millisecond), tr.accepted, tr.peak, tr.limit)
	t.Logf("idle keep-alives: %d clients, %d closed to make room; server accepted %d, peak open %d (limit %d), idle closed at the limit %d",
		idlers, closedIdle, idle.accepted, idle.peak, idle.limit, idle.evicted)
	assert.Equal(t, tricklers, tr.accepted)
	assert.Equal(t, limit, tr.peak)
	assert.Equal(t, idlers+1, idle.accepted)
	assert.Equal(t, limit, idle.peak)
	assert.GreaterOrEqual(t, idle.evicted, idlers-limit)
}

// connCounts reads the counts the sandbox command logs when it stops.
func connCounts(t *testing.T, logs string) connStats {
	t.Helper()
	m := regexp.MustCompile(`msg=connections accepted=(\d+) peak_open=(\d+) limit=(\d+) idle_closed_at_limit=(\d+)`).FindStringSubmatch(logs)
	require.NotNil(t, m, logs)
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return connStats{accepted: n[0], peak: n[1], limit: n[2], evicted: n[3]}
}
