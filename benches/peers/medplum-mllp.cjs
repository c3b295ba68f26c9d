// The peer MLLP server for `switchboard bench-mllp`: Medplum's Hl7Server (npm @medplum/hl7),
// answering every message with its AA acknowledgment and storing nothing. It gives the
// figure an MLLP implementation that is not ours reaches on the same machine in the same run.
//
//   npm install --prefix benches/peers
//   node benches/peers/medplum-mllp.cjs 2600
//   switchboard bench-mllp --mllp 127.0.0.1:2600 --connections 8 --messages 40000 --in-flight 4
const { Hl7Server } = require('@medplum/hl7');

const port = Number(process.argv[2] || 2600);
const server = new Hl7Server((connection) => {
  connection.addEventListener('message', ({ message }) => {
    connection.send(message.buildAck());
  });
});
server.start(port);
console.log(`medplum MLLP server on 127.0.0.1:${port}`);
