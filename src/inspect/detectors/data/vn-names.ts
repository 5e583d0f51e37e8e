/**
 * Vietnamese name parts for the person-name detector. Lists are written with diacritics; the
 * detector compares words with diacritics exactly (so "Làm" is not "Lâm") and unaccented words by
 * their folded form (so "Nguyen" is "Nguyễn").
 */

/** Common surnames (họ), covering the great majority of the population. */
export const VN_SURNAMES: readonly string[] = (
  'Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Mai Trương Lâm Hà Cao ' +
  'Lưu Tạ Tô Châu Đoàn Lương Trịnh Thái Kiều Quách Tăng Vương Triệu La Phùng Hứa Từ Lục Mạc Chu Tôn Thân ' +
  'Khúc Diệp Âu Đàm Giang Lại Nghiêm Khổng Thạch Ninh Tống Tiêu Ứng Văn Lã Lữ Lò Hầu Kha Mẫn Nông Quan Doãn ' +
  'Vi Viên Bạch Đồng Yên Lạc Phí Hàn Hoa Trang Dư Tào Thiều Trầm Tất Ôn Ông Giáp Kim'
).split(' ');

/**
 * Surnames that are also everyday words or place-name starts ("Mai" tomorrow, "Cao Bằng", "Thái Lan",
 * "Châu Âu", "Từ" from): a name starting with one needs a known middle name, diacritics and three
 * syllables, or a label.
 */
export const VN_AMBIGUOUS_SURNAMES: readonly string[] = (
  'Mai Cao Thái Giang La Châu Từ Lương Tăng Thân Âu Tô Văn Hà Lâm Quan Đồng Yên Lạc Hoa Trang Dư ' +
  'Tào Tất Ôn Ông Vi Viên Bạch Hàn Kha Ninh Lò Hầu Mẫn Nông Doãn Tiêu Ứng Lã Lữ Giáp Kim'
).split(' ');

/** Frequent middle names (tên đệm) and given names that mark a Vietnamese full name. */
export const VN_MIDDLE_NAMES: readonly string[] = (
  'Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Xuân Thu Hoàng Công Đình Quang Mạnh Gia Kim Anh Bảo Hải Hồng Thế ' +
  'Tuấn Trọng Tiến Như Phương Khánh Nhật Duy Trung Thành Bích Mỹ Diệu Hoài Thùy Thúy Tường Việt Huy Lan Vân ' +
  'Kiều Cẩm Tú Hoa Quý Bá Chí Đăng Khắc Phúc Tấn Thiên Trí Tuệ Uyên Vĩnh Yến Trường Tài Phước Thiện Ánh'
).split(' ');

/** Words right before a name that make it one ("Ông Nguyễn Văn An", "chị Lan"). */
export const VN_HONORIFICS: readonly string[] =
  'ông bà anh chị em cô chú bác cụ thầy cậu dì mợ ngài mr mrs ms miss mx dr'.split(' ');

/**
 * Words before a capitalized name that make it a street, a school or a place named after a person
 * ("đường Lê Lợi", "trường Nguyễn Du", "hồ Hoàn Kiếm"), folded.
 */
export const VN_NOT_PERSON_BEFORE: ReadonlySet<string> = new Set(
  (
    'duong pho quan huyen phuong xa tinh tp thi ngo ngach hem kiet lo truong cau cho ben song ho nui dao vien ' +
    'ga bay tau pha street st road avenue ave thon ap xom khu lang cong ty benh tuong den chua mieu nha'
  ).split(' '),
);

/** Words after a capitalized name that make it a street or a place ("Le Loi Street"), folded. */
export const VN_NOT_PERSON_AFTER: ReadonlySet<string> = new Set(
  'street st road rd ward district city province avenue ave boulevard blvd bridge market lake'.split(' '),
);

/**
 * Places and things named like people ("Hồ Chí Minh" city, "Hà Nội", "Cao Bằng", "Hoàng Sa"), folded:
 * a surname-led sequence starting with one of these is not reported.
 */
export const VN_PLACE_NAMES: readonly string[] = [
  'ho chi minh',
  'ha noi',
  'ha long',
  'ha giang',
  'ha nam',
  'ha tinh',
  'ha tien',
  'ha dong',
  'ha tay',
  'lam dong',
  'cao bang',
  'cao lanh',
  'thai binh',
  'thai nguyen',
  'thai lan',
  'thai binh duong',
  'chau doc',
  'chau a',
  'chau au',
  'chau phi',
  'chau my',
  'chau uc',
  'phan thiet',
  'phan rang',
  'hoang sa',
  'truong sa',
  'ho tay',
  'ho guom',
  'ho hoan kiem',
  'ho truc bach',
  'ho xuan huong',
  'ho ba be',
  'ho tri an',
  'ly son',
  'la gi',
  'dong thap',
  'dong nai',
  'dong hoi',
  'dong ha',
  'giang nam',
  'mai chau',
  'lang son',
  'vu tau',
  'quan doi',
  'tay ninh',
  'vinh long',
  'vinh phuc',
  'kien giang',
  'an giang',
  'tien giang',
  'hau giang',
];
