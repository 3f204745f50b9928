/** Corefiles shared by tests: one copy of each, so every test parses the same text. */

/** The Corefile of the EKS CoreDNS add-on's `coredns` ConfigMap (as the add-on installs it). */
export const EKS_DEFAULT_COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;
