/** Name servers listed in a resolv.conf: the targets captured by `--redirect-dns`. */
export function nameServersFrom(resolvConf: string): string[] {
  return resolvConf.split('\n').flatMap((line) => {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    return match ? [match[1]] : [];
  });
}
