package hsm

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
)

// InfoField is one "name :value" line of an HSM's description.
type InfoField struct {
	Name, Value string
}

// publicMemory is the HSM's public memory (cloudhsm_mgmt_util-getHSMInfo.md).
const publicMemory = 560596

// Info is what getHSMInfo prints for the node, in both tools: the fields
// and values of cloudhsm_mgmt_util-getHSMInfo.md, with a serial number and
// temperature of the node's own and the free memory falling as users and
// keys are added.
func (n *Node) Info() []InfoField {
	free := max(publicMemory-4096*(len(n.Users)+n.KeyCount())-200000, 0)
	return []InfoField{
		{"Label", "cavium"},
		{"Model", "NITROX-III CNN35XX-NFBE"},
		{"Serial Number", n.SerialNumber()},
		{"HSM Flags", "0"},
		{"FIPS state", "2 [FIPS mode with single factor authentication]"},
		{"Manufacturer ID", ""},
		{"Device ID", "10"},
		{"Class Code", "100000"},
		{"System vendor ID", "177D"},
		{"SubSystem ID", "10"},
		{"TotalPublicMemory", strconv.Itoa(publicMemory)},
		{"FreePublicMemory", strconv.Itoa(free)},
		{"TotalPrivateMemory", "0"},
		{"FreePrivateMemory", "0"},
		{"Hardware Major", "3"},
		{"Hardware Minor", "0"},
		{"Firmware Major", "2"},
		{"Firmware Minor", "03"},
		{"Temperature", fmt.Sprintf("%d C", 56+n.ID%3)},
		{"Build Number", "13"},
		{"Firmware ID", "xxxxxxxxxxxxxxx"},
	}
}

// SerialNumber is the node's serial number, in the form of the getHSMInfo page.
func (n *Node) SerialNumber() string { return fmt.Sprintf("3.0A0101-ICM%06d", n.ID+1) }

// PartitionID is the HSM's id as the AWS console shows it (hsm-...), made
// up from its address so that it stays the same.
func (n *Node) PartitionID() string {
	sum := sha256.Sum256([]byte("hsmsim-hsm\x00" + n.Addr))
	return "hsm-" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:11]
}

// PartitionInfo is what key_mgmt_util's getPartitionInfo prints for the
// node: its partition's name and serial number, how many users and keys it
// holds against the limits of limits.md, and its FIPS state. No page shows
// this output; the fields are the simulator's (docs/simulator-choices.md).
func (n *Node) PartitionInfo() []InfoField {
	return []InfoField{
		{"Partition Name", "PARTITION_1"},
		{"Partition Serial No", n.PartitionID()},
		{"Node Id", strconv.Itoa(n.ID)},
		{"Max Users", strconv.Itoa(MaxUsers)},
		{"Occupied Users", strconv.Itoa(len(n.Users))},
		{"Max Objects", strconv.Itoa(MaxKeys)},
		{"Occupied Objects", strconv.Itoa(n.KeyCount())},
		{"FIPS state", "2 [FIPS mode with single factor authentication]"},
	}
}
