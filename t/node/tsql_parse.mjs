// t/tsql_schema.t: reads SQL statements (a JSON array) on standard input and
// parses each as T-SQL with node-sql-parser; prints one JSON array of
// {ok, error} in the same order.
import pkg from 'node-sql-parser';

const parser = new pkg.Parser();
let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((sql) => {
  try {
    parser.astify(sql, { database: 'TransactSQL' });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e.message).slice(0, 200) };
  }
});
process.stdout.write(JSON.stringify(results) + '\n');
