#!/bin/sh
# udhcpc event script of the stand-in installer: udhcpc only reports the
# lease, so the address (and the default route) are set here.
case $1 in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do
		ip route add default via "$r" dev "$interface"
		break
	done
	;;
deconfig)
	ip addr flush dev "$interface"
	;;
esac
exit 0
