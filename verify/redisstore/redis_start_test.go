package redisstore

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireRedisServer finds redis-server and redis-cli: a missing one fails the test under CI and
// skips it elsewhere, with the command that installs them.
func requireRedisServer(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			msg := bin + " not found; install it with: sudo apt-get install -y redis-server"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// startRedisNode starts one redis-server on a free loopback port, without persistence, stopped
// when the test ends; extra arguments are passed on. It returns the address.
func startRedisNode(t *testing.T, extra ...string) string {
	t.Helper()
	requireRedisServer(t)
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--dir", dir}, extra...)
		cmd := exec.Command("redis-server", args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start redis-server: %v", err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if waitPing(addr, done) {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-done
			})
			return addr
		}
		_ = cmd.Process.Kill()
		<-done
		if attempt == 2 {
			t.Fatalf("redis-server on %s did not start:\n%s", addr, out.String())
		}
	}
}

// waitPing waits up to 10 s for a PONG from addr; false if the server exits or never answers.
func waitPing(addr string, exited <-chan struct{}) bool {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis starts a single node and returns a client for it.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: startRedisNode(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// startRedisCluster starts a 3-node Redis Cluster on loopback (three masters, no replicas) and
// returns a cluster client for it.
func startRedisCluster(t *testing.T) *redis.ClusterClient {
	t.Helper()
	addrs := make([]string, 3)
	for i := range addrs {
		conf := filepath.Join(t.TempDir(), "nodes.conf")
		addrs[i] = startRedisNode(t, "--cluster-enabled", "yes", "--cluster-config-file", conf,
			"--cluster-node-timeout", "5000")
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { _ = rdb.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok := true
		for _, addr := range addrs {
			node := redis.NewClient(&redis.Options{Addr: addr})
			info, err := node.ClusterInfo(context.Background()).Result()
			_ = node.Close()
			ok = ok && err == nil && strings.Contains(info, "cluster_state:ok")
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cluster did not reach cluster_state:ok")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Every node must know every slot's owner before the client's first command.
	if err := rdb.ForEachShard(context.Background(), func(ctx context.Context, c *redis.Client) error {
		return c.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("cluster ping: %v", err)
	}
	return rdb
}

// roundTrips counts the round trips a go-redis client makes: each command sent alone, and each
// pipeline, counts once.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}
