package main

// PostgreSQL frontend/backend protocol framing shared by the login proxy and
// the small client (pgclient.go). Every length read from the wire is
// bounded before anything is allocated.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	sslRequestCode    = 80877103
	gssencRequestCode = 80877104
	cancelRequestCode = 80877102
	protocolV3        = 3 << 16

	// The server's own limit for a startup packet (MAX_STARTUP_PACKET_LENGTH).
	maxStartupPacket = 10000
)

// SQLSTATEs the proxy answers with.
const (
	sqlstateInvalidAuthorization = "28000"
	sqlstateInvalidPassword      = "28P01"
	sqlstateCannotConnectNow     = "57P03"
	sqlstateProtocolViolation    = "08P01"
	sqlstateConnectionFailure    = "08006"
)

// readStartupPacket reads one length-prefixed startup-phase packet and
// returns its request code and the bytes after the code.
func readStartupPacket(r io.Reader) (uint32, []byte, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[0:4])
	if n < 8 || n > maxStartupPacket {
		return 0, nil, fmt.Errorf("startup packet length %d out of range", n)
	}
	body := make([]byte, n-8)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return binary.BigEndian.Uint32(hdr[4:8]), body, nil
}

// startupPacket frames a startup-phase packet (request code + body).
func startupPacket(code uint32, body []byte) []byte {
	out := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(out[0:4], uint32(8+len(body)))
	binary.BigEndian.PutUint32(out[4:8], code)
	return append(out, body...)
}

// startupParams encodes name/value pairs as a StartupMessage body.
func startupParams(pairs ...string) []byte {
	var b bytes.Buffer
	for _, s := range pairs {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteByte(0)
	return b.Bytes()
}

// parseStartupParams decodes a StartupMessage body (after the version).
func parseStartupParams(body []byte) (map[string]string, error) {
	params := make(map[string]string)
	for {
		i := bytes.IndexByte(body, 0)
		if i < 0 {
			return nil, errors.New("startup parameters are not terminated")
		}
		if i == 0 {
			return params, nil
		}
		name := string(body[:i])
		body = body[i+1:]
		j := bytes.IndexByte(body, 0)
		if j < 0 {
			return nil, errors.New("startup parameter has no value")
		}
		params[name] = string(body[:j])
		body = body[j+1:]
	}
}

// readMessage reads one typed message whose payload is at most max bytes.
func readMessage(r io.Reader, max int) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:5])
	if n < 4 || int64(n)-4 > int64(max) {
		return 0, nil, fmt.Errorf("message %q length %d out of range", hdr[0], n)
	}
	payload := make([]byte, n-4)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	return hdr[0], payload, nil
}

// message frames a typed message.
func message(typ byte, payload []byte) []byte {
	out := make([]byte, 5, 5+len(payload))
	out[0] = typ
	binary.BigEndian.PutUint32(out[1:5], uint32(4+len(payload)))
	return append(out, payload...)
}

// pgError is an ErrorResponse, sent by the proxy or received by the client.
type pgError struct {
	Severity string
	Code     string
	Message  string
	Detail   string
}

func (e *pgError) Error() string {
	s := fmt.Sprintf("%s: %s: %s", e.Severity, e.Code, e.Message)
	if e.Detail != "" {
		s += " (DETAIL: " + e.Detail + ")"
	}
	return s
}

// encode frames the error as an ErrorResponse message.
func (e *pgError) encode() []byte {
	var b bytes.Buffer
	field := func(tag byte, v string) {
		if v != "" {
			b.WriteByte(tag)
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
	field('S', e.Severity)
	field('V', e.Severity)
	field('C', e.Code)
	field('M', e.Message)
	field('D', e.Detail)
	b.WriteByte(0)
	return message('E', b.Bytes())
}

// parsePgError decodes an ErrorResponse (or NoticeResponse) payload.
func parsePgError(payload []byte) *pgError {
	e := &pgError{}
	for len(payload) > 0 && payload[0] != 0 {
		tag := payload[0]
		end := bytes.IndexByte(payload[1:], 0)
		if end < 0 {
			break
		}
		v := string(payload[1 : 1+end])
		payload = payload[2+end:]
		switch tag {
		case 'S':
			if e.Severity == "" {
				e.Severity = v
			}
		case 'V':
			e.Severity = v
		case 'C':
			e.Code = v
		case 'M':
			e.Message = v
		case 'D':
			e.Detail = v
		}
	}
	return e
}
