// Package redistest starts real redis-server processes on loopback for tests: a single node,
// and a three-node Redis Cluster. Each is stopped by the test's cleanup.
//
// When redis-server (or, for a cluster, redis-cli) is not installed, the test fails under
// CI=true and is skipped otherwise, with the command that installs it.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// InstallHint is the command that installs what the Redis tests need.
const InstallHint = "sudo apt-get install -y redis-server (Debian, Ubuntu) or brew install redis (macOS)"

// startTimeout bounds how long a server or a cluster may take to come up.
const startTimeout = 20 * time.Second

// Server is one redis-server process on 127.0.0.1.
type Server struct {
	t    testing.TB
	Addr string // host:port
	port int
	dir  string
	args []string
	cmd  *exec.Cmd
	out  *testkit.SyncBuffer
	done chan struct{}
}

// requirePrograms finds the programs the test needs, or ends the test.
func requirePrograms(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			msg := fmt.Sprintf("%s not found on PATH; install it: %s", p, InstallHint)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Start starts a redis-server without persistence on a free loopback port.
func Start(t testing.TB) *Server {
	t.Helper()
	requirePrograms(t, "redis-server")
	return startNode(t, nil)
}

// startNode starts one node with extra arguments, trying other ports if one is taken meanwhile.
func startNode(t testing.TB, extra func(port int, dir string) []string) *Server {
	t.Helper()
	var last error
	for range 10 {
		port := freePort(t, extra != nil)
		dir := t.TempDir()
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"}
		if extra != nil {
			args = append(args, extra(port, dir)...)
		}
		s := &Server{t: t, Addr: "127.0.0.1:" + strconv.Itoa(port), port: port, dir: dir, args: args}
		if last = s.run(); last == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("redis-server did not start: %v", last)
	return nil
}

// run starts the process and waits until it answers PING.
func (s *Server) run() error {
	s.out = new(testkit.SyncBuffer)
	s.cmd = exec.Command("redis-server", s.args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("redis-server exited: %s", strings.TrimSpace(s.out.String()))
		default:
		}
		// The answer must come from this process, not from another test's server that took the
		// port between the check that it was free and this server's start.
		if pid, err := serverPID(s.Addr); err == nil {
			if pid == s.cmd.Process.Pid {
				return nil
			}
			s.Stop()
			return fmt.Errorf("port %d was taken by another redis-server", s.port)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("redis-server on %s did not answer within %v: %s", s.Addr, startTimeout, s.out.String())
}

// Stop stops the server and waits for it to exit; its data is gone. Stopping twice is harmless.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Restart starts the server again on the same port, empty, after Stop.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.run(); err != nil {
		s.t.Fatalf("restart: %v", err)
	}
}

// Client returns a client of the server, closed by the test's cleanup. It gives up on a
// stopped server within a fraction of a second, rather than after go-redis's default retries.
func (s *Server) Client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: 1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Cluster is a Redis Cluster of three masters on loopback, without replicas.
type Cluster struct {
	Addrs []string
	nodes []*Server
}

// StartCluster starts three redis-server --cluster-enabled yes nodes, joins them with
// redis-cli --cluster create and waits until every node reports the cluster ok.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	requirePrograms(t, "redis-server", "redis-cli")
	c := &Cluster{}
	for range 3 {
		n := startNode(t, func(_ int, dir string) []string {
			return []string{"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
				"--cluster-node-timeout", "5000"}
		})
		c.nodes = append(c.nodes, n)
		c.Addrs = append(c.Addrs, n.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range c.Addrs {
		for !clusterOK(ctx, addr) {
			if ctx.Err() != nil {
				t.Fatalf("cluster node %s not ok within %v", addr, startTimeout)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return c
}

// Client returns a cluster client, closed by the test's cleanup.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// clusterOK reports whether the node at addr knows all slots and the cluster as ok.
func clusterOK(ctx context.Context, addr string) bool {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	info, err := rdb.ClusterInfo(ctx).Result()
	return err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_slots_ok:16384")
}

// freePort picks a port free on loopback now; for a cluster node, the port 10000 above it (the
// cluster bus) must be free too.
func freePort(t testing.TB, bus bool) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(25000)
		if !free(port) || bus && !free(port+10000) {
			continue
		}
		return port
	}
	t.Fatal("no free loopback port found")
	return 0
}

func free(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// serverPID asks the server at addr for its process id, without a client library.
func serverPID(addr string) (int, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("INFO server\r\n")); err != nil {
		return 0, err
	}
	r := bufio.NewReader(conn)
	head, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(head, "$") {
		return 0, fmt.Errorf("unexpected answer %q", head)
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[1:]))
	if err != nil {
		return 0, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("no process_id in INFO server")
}
