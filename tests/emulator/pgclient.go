package main

// A minimal PostgreSQL client: enough to bootstrap the throwaway cluster
// (trust over the unix socket) and, in the tests, to log in through the
// proxy (TLS + cleartext password), run simple queries and send cancels.

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Query results are small here; a bigger message means a broken peer.
const maxClientMessage = 1 << 20

type pgConfig struct {
	User     string
	Database string
	Password string
	// TLS, when set, makes the client send an SSLRequest and require 'S'.
	TLS *tls.Config
}

type pgConn struct {
	net.Conn
	ProcessID uint32
	SecretKey uint32
}

// pgDial connects and logs in.
func pgDial(network, addr string, cfg pgConfig, timeout time.Duration) (*pgConn, error) {
	c, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	pc, err := pgStartup(c, cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	_ = pc.SetDeadline(time.Time{})
	return pc, nil
}

// pgStartup logs in on an already connected socket. On failure the caller
// closes c.
func pgStartup(c net.Conn, cfg pgConfig) (*pgConn, error) {
	if cfg.TLS != nil {
		if _, err := c.Write(startupPacket(sslRequestCode, nil)); err != nil {
			return nil, err
		}
		var answer [1]byte
		if _, err := io.ReadFull(c, answer[:]); err != nil {
			return nil, err
		}
		if answer[0] != 'S' {
			return nil, fmt.Errorf("server answered %q to SSLRequest", answer[0])
		}
		tc := tls.Client(c, cfg.TLS)
		if err := tc.Handshake(); err != nil {
			return nil, err
		}
		c = tc
	}
	body := startupParams("user", cfg.User, "database", cfg.Database,
		"application_name", "lakebase-emulator")
	if _, err := c.Write(startupPacket(protocolV3, body)); err != nil {
		return nil, err
	}
	pc := &pgConn{Conn: c}
	for {
		typ, payload, err := readMessage(c, maxClientMessage)
		if err != nil {
			return nil, err
		}
		switch typ {
		case 'R':
			if len(payload) < 4 {
				return nil, errors.New("short authentication request")
			}
			switch method := binary.BigEndian.Uint32(payload); method {
			case 0: // AuthenticationOk
			case 3: // cleartext password
				pw := append([]byte(cfg.Password), 0)
				if _, err := c.Write(message('p', pw)); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("unsupported authentication method %d", method)
			}
		case 'K':
			if len(payload) >= 8 {
				pc.ProcessID = binary.BigEndian.Uint32(payload[0:4])
				pc.SecretKey = binary.BigEndian.Uint32(payload[4:8])
			}
		case 'E':
			return nil, parsePgError(payload)
		case 'Z':
			return pc, nil
		}
	}
}

// Query runs one simple query and returns its rows (NULL reads as "").
func (c *pgConn) Query(sql string) ([][]string, error) {
	if _, err := c.Write(message('Q', append([]byte(sql), 0))); err != nil {
		return nil, err
	}
	var rows [][]string
	var firstErr error
	for {
		typ, payload, err := readMessage(c, maxClientMessage)
		if err != nil {
			return nil, err
		}
		switch typ {
		case 'D':
			row, err := parseDataRow(payload)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
		case 'E':
			if firstErr == nil {
				firstErr = parsePgError(payload)
			}
		case 'Z':
			return rows, firstErr
		}
	}
}

// Close says goodbye and closes the socket.
func (c *pgConn) Close() error {
	_, _ = c.Write(message('X', nil))
	return c.Conn.Close()
}

func parseDataRow(p []byte) ([]string, error) {
	if len(p) < 2 {
		return nil, errors.New("short DataRow")
	}
	n := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	row := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if len(p) < 4 {
			return nil, errors.New("short DataRow column")
		}
		l := int32(binary.BigEndian.Uint32(p))
		p = p[4:]
		if l < 0 {
			row = append(row, "")
			continue
		}
		if int(l) > len(p) {
			return nil, errors.New("DataRow column overruns the message")
		}
		row = append(row, string(p[:l]))
		p = p[l:]
	}
	return row, nil
}

// pgCancel sends a CancelRequest on a fresh connection and waits for the
// server to hang up, which it does once the request is handled.
func pgCancel(network, addr string, pid, key uint32, timeout time.Duration) error {
	c, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	body := make([]byte, 8)
	binary.BigEndian.PutUint32(body[0:4], pid)
	binary.BigEndian.PutUint32(body[4:8], key)
	if _, err := c.Write(startupPacket(cancelRequestCode, body)); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, c)
	return err
}
