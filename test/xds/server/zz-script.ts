import http from 'node:http';
import { startAds, resourceSet, cluster } from './fixtures.js';
import { openSotw } from '../../helpers/xds-clients.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
const withGet = process.argv[2] === 'get';
const withGrpc = process.argv[3] !== 'nogrpc';
const ads = await startAds({ http: (req, res) => { res.end('hi'); return true; } });
ads.cache.set('n', resourceSet(cluster('a')));
let client;
if (withGrpc) {
client = openSotw(ads.url, 'n');
client.request({ typeUrl: TYPE_URL.Cluster });
await client.next();
}
if (withGet) {
  const agent = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve) => http.get(`${ads.url}/hello`, { agent }, (res) => res.resume().on('end', resolve)));
}
const t = Date.now();
await ads.close();
console.log('close took', Date.now() - t);
if (client) console.log((await client.ended)?.code);
process.exit(0);
