/**
 * Where EKS (and kubeadm) run cluster DNS, by the names the runner and the collectors read it
 * under: the `kube-dns` Service in `kube-system`, its EndpointSlices, the `coredns` Deployment
 * and ConfigMap, and the pods labelled `k8s-app=kube-dns`.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 */

export const KUBE_SYSTEM_NAMESPACE = 'kube-system';
/** the cluster DNS Service (its name stays `kube-dns` with CoreDNS behind it) */
export const KUBE_DNS_SERVICE = 'kube-dns';
/** the CoreDNS Deployment and its Corefile ConfigMap */
export const COREDNS_NAME = 'coredns';
/** the label selector of the CoreDNS pods */
export const COREDNS_POD_SELECTOR = 'k8s-app=kube-dns';
/** the label selector of the kube-dns Service's EndpointSlices */
export const KUBE_DNS_SLICE_SELECTOR = `kubernetes.io/service-name=${KUBE_DNS_SERVICE}`;
