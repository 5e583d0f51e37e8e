import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scanner, defaultDetectors } from '../../src/inspect/index.js';
import { contextBefore } from '../../src/inspect/detectors/context.js';
import { tableCellAt } from '../../src/inspect/detectors/tables.js';
import type { FindingType } from '../../src/inspect/types.js';

const scanner = new Scanner(defaultDetectors());

/** The values found in `text`, by type. */
function found(text: string): Map<string, FindingType> {
  const result = new Map<string, FindingType>();
  for (const finding of scanner.scanText(text, { kind: 'tool_output' }).findings)
    result.set(text.slice(finding.start, finding.end), finding.type);
  return result;
}

describe('tables', () => {
  test("a value in a table is labelled by its own column's header, in every row", () => {
    const csv = [
      'ho_ten,ngay_sinh,so_cmnd,mst,so_tai_khoan,luong',
      'Nguyễn Văn An,12/03/1990,024681357,0100109106,0071000123456,15000000',
      'Trần Thị Bình,05/11/1985,135792468,0312345673,1903456789012,22000000',
      'Lê Hoàng Cường,30/07/1979,246813579,0101243150,19034567890,18500000',
    ].join('\n');
    const values = found(csv);
    for (const date of ['12/03/1990', '05/11/1985', '30/07/1979'])
      assert.equal(values.get(date), 'date_of_birth', date);
    for (const cmnd of ['024681357', '135792468', '246813579'])
      assert.equal(values.get(cmnd), 'vn_cmnd', cmnd);
    for (const mst of ['0100109106', '0312345673', '0101243150'])
      assert.equal(values.get(mst), 'vn_tax_code', mst);
    for (const account of ['0071000123456', '1903456789012', '19034567890'])
      assert.equal(values.get(account), 'bank_account', account);
    for (const salary of ['15000000', '22000000', '18500000'])
      assert.equal(values.get(salary), undefined, salary);
    for (const name of ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường'])
      assert.equal(values.get(name), 'person_name');
  });

  test('Markdown and tab-separated tables are read the same way', () => {
    const markdown =
      '| Name | Date of birth | SSN |\n|---|:---:|---|\n| Jane Doe | 1984-02-29 | 078-05-1121 |\n| John Roe | 1990-12-01 | 219-09-9999 |';
    const values = found(markdown);
    assert.equal(values.get('1984-02-29'), 'date_of_birth');
    assert.equal(values.get('1990-12-01'), 'date_of_birth');
    const tsv =
      'employee\tdob\tbatch_ref\tssn\nA. Smith\t1971-05-04\tB-2231\t536-22-1234\nB. Jones\t1969-10-23\tB-2232\t452-11-9876';
    const rows = found(tsv);
    assert.equal(rows.get('1971-05-04'), 'date_of_birth');
    assert.equal(rows.get('1969-10-23'), 'date_of_birth');
    assert.equal(rows.get('536-22-1234'), 'us_ssn');
    assert.equal(rows.get('452-11-9876'), 'us_ssn');
  });

  test('tableCellAt finds the header cell of the column, and no table in code, JSON or prose', () => {
    const text = 'id,"full name",dob\n7,"Doe, Jane",1984-02-29';
    const cell = tableCellAt(text, text.indexOf('1984'));
    assert.ok(cell !== undefined);
    assert.equal(text.slice(cell.headerStart, cell.headerEnd), 'dob');
    assert.equal(cell.cellStart, text.indexOf('1984'));
    const quoted = tableCellAt(text, text.indexOf('Jane'));
    assert.equal(
      text.slice(quoted?.headerStart, quoted?.headerEnd),
      'full name',
      'a comma in quotes parts no cells',
    );
    assert.equal(tableCellAt(text, 2), undefined, 'the header line is no row');
    const piped = 'sku,note,dob\nA-1,red|blue,1984-02-29';
    const dob = tableCellAt(piped, piped.indexOf('1984'));
    assert.equal(
      piped.slice(dob?.headerStart, dob?.headerEnd),
      'dob',
      'one "|" in a cell leaves a CSV row a row',
    );
    const notTables = [
      '{\n  "phone": "0912345678",\n  "note": "call after 5pm",\n  "dob": "1990-01-01"\n}',
      'Thanks for the invoice, I will pay tomorrow.\nThe amount is 1,200 USD, due on 2026-12-01.',
      '2024,1,17\n2025,3,4',
    ];
    for (const sample of notTables)
      assert.equal(tableCellAt(sample, sample.lastIndexOf('1')), undefined, sample);
  });

  test("other columns' headers and the rows above are not a value's labels", () => {
    const csv = 'order_id,so_tai_khoan\n4455667788,0071000123456';
    const order = contextBefore(csv, csv.indexOf('4455'));
    assert.equal(order.has('bank'), false);
    assert.equal(order.has('negative'), true);
    const account = contextBefore(csv, csv.indexOf('0071'));
    assert.equal(account.verdict(['bank']), 'positive');
    // a label inside the cell still counts
    const labelled = 'note,ref\n"STK: 0071000123456",x1';
    assert.equal(contextBefore(labelled, labelled.indexOf('0071')).verdict(['bank']), 'positive');
  });
});
